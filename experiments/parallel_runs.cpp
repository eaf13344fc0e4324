#include "experiments/parallel_runs.h"

#include <sys/prctl.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "discretizations/plugin_loader.h"
#include "training/stop_signal.h"

namespace odenet {
namespace {

struct Child {
  pid_t pid = -1;
  int fd = -1;  ///< read end of the child's stdout+stderr
  std::string label, pending;
};

Child spawn(const ChildCommand& command) {
  int fds[2];
  if (::pipe(fds) != 0) throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  std::vector<char*> argv;
  for (const auto& a : command.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The environment is built here: after fork, a child of a threaded process may only exec.
  std::vector<std::string> env_strings = environment_with(command.env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("cannot start a process: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group: a terminal's Ctrl-C reaches the parent, which forwards it once
    // Dies with its parent: SIGTERM (checkpoint and stop) when the launcher ends, even by SIGKILL;
    // a parent already gone before this line leaves getppid() changed.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(143);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execve(argv[0], argv.data(), envp.data());
    std::fprintf(stderr, "odenet: error: cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  return Child{pid, fds[0], command.label, ""};
}

// Forwards the complete lines read so far (progress lines end in \r on a terminal: here they end in \n).
void forward(Child& child, bool eof) {
  size_t start = 0;
  for (size_t nl; (nl = child.pending.find('\n', start)) != std::string::npos; start = nl + 1)
    std::cout << child.pending.substr(start, nl + 1 - start);
  child.pending.erase(0, start);
  if (eof && !child.pending.empty()) {
    std::cout << child.pending << "\n";
    child.pending.clear();
  }
  std::cout.flush();
}

}  // namespace

std::string self_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find this program's path (/proc/self/exe): " + ec.message());
  return path.string();
}

std::vector<std::string> self_command() {
  std::vector<std::string> command{self_executable()};
  for (const auto& plugin : loaded_plugins()) command.insert(command.end(), {"--plugin", plugin});
  return command;
}

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> env = overrides;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e, name = entry.substr(0, entry.find('=') + 1);
    const bool replaced = std::any_of(overrides.begin(), overrides.end(),
                                      [&](const std::string& v) { return v.compare(0, name.size(), name) == 0; });
    if (!replaced) env.push_back(entry);
  }
  return env;
}

namespace {

using Clock = std::chrono::steady_clock;

// Kills the children still running at the deadline (SIGKILL ends even a stopped process).
void kill_remaining(const std::vector<Child>& active, const std::string& why) {
  for (const auto& c : active) {
    std::cerr << "odenet: " << c.label << " did not end " << why << "; killed\n";
    ::kill(c.pid, SIGKILL);
  }
}

enum class ChildState { kRunning, kSucceeded, kFailed };

// Forwards what a child wrote; at end of file reaps it and says how it ended. One that exits with
// 128 + the stop signal this process passed on checkpointed and stopped as asked: not a failure.
ChildState read_or_reap(Child& child) {
  char buffer[65536];
  const ssize_t n = ::read(child.fd, buffer, sizeof buffer);
  if (n > 0) {
    child.pending.append(buffer, static_cast<size_t>(n));
    forward(child, false);
    return ChildState::kRunning;
  }
  if (n < 0 && errno == EINTR) return ChildState::kRunning;
  forward(child, true);
  ::close(child.fd);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ChildState::kSucceeded;
  if (WIFEXITED(status) && stop_signal() != 0 && WEXITSTATUS(status) == 128 + stop_signal()) {
    std::cerr << "odenet: run " << child.label << " paused (stopped by " << signal_name(stop_signal()) << ")\n";
    return ChildState::kSucceeded;
  }
  const std::string how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                            : fmt::format("signal {}", WTERMSIG(status));
  std::cerr << "odenet: run " << child.label << " failed (" << how << ")\n";
  return ChildState::kFailed;
}

}  // namespace

std::vector<std::string> run_in_parallel(const std::vector<ChildCommand>& commands, const ParallelOptions& options) {
  std::vector<Child> active;
  std::vector<std::string> failed;
  size_t next = 0;
  bool forwarded = false, killed = false;
  std::optional<Clock::time_point> deadline;  // when children still running get killed
  std::string why;
  auto arm = [&](const std::string& reason) {
    if (options.kill_after_seconds && !deadline) {
      deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(*options.kill_after_seconds * 1000));
      why = fmt::format("within {:g} s of {}", *options.kill_after_seconds, reason);
    }
  };
  while (next < commands.size() || !active.empty()) {
    if (stop_signal() != 0) {  // stop: no new runs; the running ones checkpoint and exit
      next = commands.size();
      if (!forwarded)
        for (const auto& c : active) ::kill(c.pid, stop_signal());
      forwarded = true;
      arm(signal_name(stop_signal()));
      if (active.empty()) break;
    }
    while (next < commands.size() && static_cast<int>(active.size()) < std::max(1, options.jobs))
      active.push_back(spawn(commands[next++]));
    if (deadline && !killed && Clock::now() >= *deadline) {
      kill_remaining(active, why);
      killed = true;  // now reap them
    }
    std::vector<pollfd> fds;
    for (const auto& c : active) fds.push_back(pollfd{c.fd, POLLIN, 0});
    int wait_ms = -1;
    if (deadline && !killed)
      wait_ms = static_cast<int>(std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count() + 1));
    if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR)
      throw Error(std::string("waiting for runs: ") + std::strerror(errno));
    for (size_t i = 0; i < active.size();) {
      const ChildState state =
          fds[i].revents & (POLLIN | POLLHUP | POLLERR) ? read_or_reap(active[i]) : ChildState::kRunning;
      if (state == ChildState::kRunning) {
        ++i;
        continue;
      }
      if (state == ChildState::kFailed) {
        failed.push_back(active[i].label);
        if (options.fail_together) {
          next = commands.size();
          arm(active[i].label + " failing");
        }
      }
      active.erase(active.begin() + static_cast<long>(i));
      fds.erase(fds.begin() + static_cast<long>(i));
    }
  }
  return failed;
}

}  // namespace odenet
