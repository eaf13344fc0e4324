// One run's directory, results/<experiment>/<run>/, and the files in it:
//   config.json     the resolved run, written when it starts (extension.json: the config it had
//                   before it was extended to more epochs)
//   metrics.jsonl   one line per finished epoch
//   checkpoint.pt   after every epoch, and where a signal stopped one
//   summary.json    when finished; status.json when paused (time limit, signal) or failed
//   .lock           an exclusive flock held by the process training it
// Every file is written atomically (temp file + rename). `odenet status`, the runner, tables and
// sweeps over several allocations read runs through this class.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace odenet {

struct EpochMetrics;

enum class RunStatus {
  kNotStarted,   ///< no directory
  kRunning,      ///< another process holds its lock
  kInterrupted,  ///< stopped without a word (killed): resumable
  kPaused,       ///< stopped at an epoch boundary on purpose (time limit, signal): resumable
  kFailed,       ///< stopped by an error (non-finite loss, ...): resumable after a fix
  kFinished,
};

/// "not started", "running", "interrupted", "paused", "failed", "finished".
const EnumNames<RunStatus>& run_status_names();
std::string run_status_name(RunStatus status);

struct RunState {
  RunStatus status = RunStatus::kNotStarted;
  long epochs_done = 0;   ///< lines of metrics.jsonl
  long epochs = 0;        ///< the run's planned epochs (config.json), 0 if unknown
  std::string reason;     ///< why it paused or failed
};

class RunDirectory {
 public:
  explicit RunDirectory(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  std::string config_path() const { return path_ + "/config.json"; }
  std::string metrics_path() const { return path_ + "/metrics.jsonl"; }
  std::string checkpoint_path() const { return path_ + "/checkpoint.pt"; }
  std::string summary_path() const { return path_ + "/summary.json"; }
  std::string status_path() const { return path_ + "/status.json"; }
  std::string extension_path() const { return path_ + "/extension.json"; }

  bool exists() const;
  bool has_config() const;
  bool has_checkpoint() const;
  bool finished() const;  ///< summary.json exists
  /// Whether a live process holds the run's lock.
  bool locked() const;
  /// Where the run stands (a damaged file is a DataError naming it).
  RunState state() const;

  /// The exclusive lock for the life of this object (released by the kernel if the process
  /// dies); creates the directory. A run locked by another process is a ConfigError.
  class Lock {
   public:
    explicit Lock(const RunDirectory& dir);
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    int fd_ = -1;
  };

  void write_config(const nlohmann::json& config) const;
  /// Rewrites metrics.jsonl with one line per epoch.
  void write_metrics(const std::vector<EpochMetrics>& metrics) const;
  void write_summary(const nlohmann::json& summary) const;
  /// status.json: {"status": "paused"|"failed", "reason", "epochs_done", "epochs"}.
  void write_status(RunStatus status, const std::string& reason, long epochs_done, long epochs) const;
  /// Running again: no longer paused or failed.
  void clear_status() const;
  /// Unfinished again (extended to more epochs).
  void clear_summary() const;
  /// A new run that could not start: the directory goes, and the experiment's directory with it
  /// when that leaves it empty.
  void remove_new() const;

 private:
  std::string path_;
};

/// The run directories (holding config.json) at or under `root`, sorted: `root` itself when it
/// is one, else every directory below it that is (not looking inside a run directory).
std::vector<RunDirectory> run_directories_under(const std::string& root);

}  // namespace odenet
