// Running a shell command and reading what it prints (gnuplot, sbatch, the tests' tools).
#pragma once
#include <string>

namespace odenet {

struct ShellResult {
  int status = 0;      ///< exit status; 128 + the signal when one ended it
  std::string output;  ///< stdout and stderr together
};

/// `s` single-quoted for a POSIX shell (a ' inside is written '\'').
std::string shell_quoted(const std::string& s);

/// `s` as one shell word for a reader: as it is when it holds only letters, digits and
/// _ - . / = : , + @ %, else shell_quoted.
std::string shell_word(const std::string& s);

/// Runs `command` with /bin/sh, its stderr joined to stdout; an Error only if no shell could start.
ShellResult run_shell_command(const std::string& command);

}  // namespace odenet
