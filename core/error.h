// Errors that reach the user as one line and a non-zero exit status.
#pragma once
#include <stdexcept>
#include <string>

namespace odenet {

/// A failure the user can act on: printed as one line, exits with `exit_code()`.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int exit_code = 1)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

/// Invalid user input caught before anything runs (bad JSON, unknown name, out of range): exit 2.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message, 2) {}
};

/// A data file that is missing, truncated or malformed: exit 1.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error(message, 1) {}
};

}  // namespace odenet
