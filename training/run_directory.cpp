#include "training/run_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "training/trainer.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw DataError(path + ": malformed JSON");
  }
}

long count_lines(const std::string& path) {
  std::ifstream in(path);
  long n = 0;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) ++n;
  return n;
}

void remove_if_there(const std::string& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

}  // namespace

const EnumNames<RunStatus>& run_status_names() {
  static const EnumNames<RunStatus> names{{"not started", RunStatus::kNotStarted}, {"running", RunStatus::kRunning},
                                          {"interrupted", RunStatus::kInterrupted}, {"paused", RunStatus::kPaused},
                                          {"failed", RunStatus::kFailed},           {"finished", RunStatus::kFinished}};
  return names;
}

std::string run_status_name(RunStatus s) { return enum_name(run_status_names(), s); }

bool RunDirectory::exists() const { return fs::exists(path_); }
bool RunDirectory::has_config() const { return fs::exists(config_path()); }
bool RunDirectory::has_checkpoint() const { return fs::exists(checkpoint_path()); }
bool RunDirectory::finished() const { return fs::exists(summary_path()); }

bool RunDirectory::locked() const {
  const std::string lock = path_ + "/.lock";
  const int fd = ::open(lock.c_str(), O_RDWR);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

RunState RunDirectory::state() const {
  RunState state;
  if (!exists()) return state;
  if (has_config()) {
    auto config = read_json(config_path());
    if (config.contains("train") && config["train"].contains("epochs") && config["train"]["epochs"].is_number_integer())
      state.epochs = config["train"]["epochs"].get<long>();
  }
  if (fs::exists(metrics_path())) state.epochs_done = count_lines(metrics_path());
  if (locked()) {
    state.status = RunStatus::kRunning;
  } else if (finished()) {
    state.status = RunStatus::kFinished;
  } else if (fs::exists(status_path())) {
    auto s = read_json(status_path());
    const std::string name = s.value("status", "");
    const auto status = find_enum(run_status_names(), name);
    if (status != RunStatus::kPaused && status != RunStatus::kFailed)  // what status.json may say
      throw DataError(status_path() + ": unknown status '" + name + "'");
    state.status = *status;
    state.reason = s.value("reason", "");
  } else {
    state.status = RunStatus::kInterrupted;
  }
  return state;
}

RunDirectory::Lock::Lock(const RunDirectory& dir) {
  fs::create_directories(dir.path());
  const std::string lock = dir.path() + "/.lock";
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd_ < 0) throw Error(lock + ": cannot create lock file");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw ConfigError(dir.path() + ": run is in progress in another process; wait for it or stop it");
  }
}

RunDirectory::Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);
}

void RunDirectory::write_config(const nlohmann::json& config) const {
  write_file_atomic(config_path(), config.dump(2) + "\n");
}

void RunDirectory::write_metrics(const std::vector<EpochMetrics>& metrics) const {
  std::string text;
  for (const auto& m : metrics) text += to_json(m).dump() + "\n";
  write_file_atomic(metrics_path(), text);
}

void RunDirectory::write_summary(const nlohmann::json& summary) const {
  write_file_atomic(summary_path(), summary.dump(2) + "\n");
}

void RunDirectory::write_status(RunStatus status, const std::string& reason, long epochs_done, long epochs) const {
  nlohmann::json j{{"status", run_status_name(status)}, {"reason", reason}, {"epochs_done", epochs_done}, {"epochs", epochs}};
  write_file_atomic(status_path(), j.dump(2) + "\n");
}

void RunDirectory::clear_status() const { remove_if_there(status_path()); }
void RunDirectory::clear_summary() const { remove_if_there(summary_path()); }

void RunDirectory::remove_new() const {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
  fs::remove(fs::path(path_).parent_path(), ignored);  // removes only an empty directory
}

std::vector<RunDirectory> run_directories_under(const std::string& root) {
  if (RunDirectory(root).has_config()) return {RunDirectory(root)};
  std::vector<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_directory() && RunDirectory(it->path().string()).has_config()) {
      paths.push_back(it->path().string());
      it.disable_recursion_pending();
    }
  std::sort(paths.begin(), paths.end());
  return {paths.begin(), paths.end()};
}

}  // namespace odenet
