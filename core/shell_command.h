// Running a shell command and reading what it prints (gnuplot, sbatch, the tests' tools).
#pragma once
#include <string>

namespace odenet {

struct ShellResult {
  int status = 0;      ///< exit status; 128 + the signal when one ended it
  std::string output;  ///< stdout and stderr together
};

/// Runs `command` with /bin/sh, its stderr joined to stdout; an Error only if no shell could start.
ShellResult run_shell_command(const std::string& command);

}  // namespace odenet
