// Several runs at once as child processes: each child is this program again
// (`odenet run FILE --only I ...`), `jobs` of them at a time; their output is
// forwarded line by line, so lines of different runs never mix mid-line.
#pragma once
#include <string>
#include <optional>
#include <vector>

namespace odenet {

struct ChildCommand {
  std::string label;              ///< names the run in messages
  std::vector<std::string> argv;  ///< argv[0] is the program
  std::vector<std::string> env;   ///< "NAME=value" set (or replaced) in the child's environment
};

/// How long children may take to end once asked, and whether one failing ends the others.
struct ParallelOptions {
  int jobs = 1;  ///< at most this many at a time
  /// The children are one job (a data-parallel run's ranks): once one fails, the others must end
  /// too (they do on their own within their collective timeout).
  bool fail_together = false;
  /// After a stop signal, or with fail_together after the first failure: children still running
  /// this many seconds later (stopped by SIGSTOP, hung) are killed (SIGKILL). Empty: wait.
  std::optional<double> kill_after_seconds;
};

/// Runs `commands`, at most `options.jobs` at a time, in order; returns the labels of those that
/// failed (non-zero exit or a signal), each reported on stderr with its exit status.
std::vector<std::string> run_in_parallel(const std::vector<ChildCommand>& commands, const ParallelOptions& options);

/// This program's own path (to start it again).
std::string self_executable();

/// The command that starts this program again as it runs now: its path and its --plugin arguments.
std::vector<std::string> self_command();

/// This process's environment with `overrides` ("NAME=value") set or replaced, for a child's execve.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

}  // namespace odenet
