// Where a run directory stands, read from its files: summary.json (finished),
// status.json (paused by a time limit or a signal, or failed), metrics.jsonl
// (epochs done), the .lock a live run holds. `odenet status`, the runner and
// sweeps over several allocations all read runs through this one function.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/enum_names.h"

namespace odenet {

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

/// Reads the state of the run directory `dir` (a damaged file is a DataError naming it).
RunState read_run_state(const std::string& dir);

/// Writes status.json (atomically): {"status": "paused"|"failed", "reason", "epochs_done", "epochs"}.
void write_run_status(const std::string& dir, RunStatus status, const std::string& reason, long epochs_done,
                      long epochs);

/// Whether `dir`'s lock is held by a live process.
bool run_is_locked(const std::string& dir);

}  // namespace odenet
