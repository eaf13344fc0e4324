#include "training/run_status.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_reader.h"

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

}  // namespace

const EnumNames<RunStatus>& run_status_names() {
  static const EnumNames<RunStatus> names{{"not started", RunStatus::kNotStarted}, {"running", RunStatus::kRunning},
                                          {"interrupted", RunStatus::kInterrupted}, {"paused", RunStatus::kPaused},
                                          {"failed", RunStatus::kFailed},           {"finished", RunStatus::kFinished}};
  return names;
}

std::string run_status_name(RunStatus s) { return enum_name(run_status_names(), s); }

bool run_is_locked(const std::string& dir) {
  std::string path = dir + "/.lock";
  int fd = ::open(path.c_str(), O_RDWR);
  if (fd < 0) return false;
  bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return locked;
}

RunState read_run_state(const std::string& dir) {
  RunState state;
  if (!fs::exists(dir)) return state;
  if (fs::exists(dir + "/config.json")) {
    auto config = read_json(dir + "/config.json");
    if (config.contains("train") && config["train"].contains("epochs") && config["train"]["epochs"].is_number_integer())
      state.epochs = config["train"]["epochs"].get<long>();
  }
  if (fs::exists(dir + "/metrics.jsonl")) state.epochs_done = count_lines(dir + "/metrics.jsonl");
  if (run_is_locked(dir)) {
    state.status = RunStatus::kRunning;
  } else if (fs::exists(dir + "/summary.json")) {
    state.status = RunStatus::kFinished;
  } else if (fs::exists(dir + "/status.json")) {
    auto s = read_json(dir + "/status.json");
    const std::string name = s.value("status", "");
    const auto status = find_enum(run_status_names(), name);
    if (status != RunStatus::kPaused && status != RunStatus::kFailed)  // what status.json may say
      throw DataError(dir + "/status.json: unknown status '" + name + "'");
    state.status = *status;
    state.reason = s.value("reason", "");
  } else {
    state.status = RunStatus::kInterrupted;
  }
  return state;
}

void write_run_status(const std::string& dir, RunStatus status, const std::string& reason, long epochs_done,
                      long epochs) {
  nlohmann::json j{{"status", run_status_name(status)},
                   {"reason", reason},
                   {"epochs_done", epochs_done},
                   {"epochs", epochs}};
  write_file_atomic(dir + "/status.json", j.dump(2) + "\n");
}

}  // namespace odenet
