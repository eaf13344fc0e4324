// Helpers the suites share: scratch directories, tiny generated data sets,
// running the odenet binary.
#pragma once
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/shell_command.h"

namespace odenet::test {

/// Every example scheme object of the built-in registry, entry by entry (and, with `aliases`,
/// the examples of the older spellings after them).
std::vector<nlohmann::json> registered_scheme_examples(bool aliases = false);

/// A fresh directory under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Sets (or, with no value, unsets) an environment variable for its lifetime, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const std::string& name, const char* value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  bool had_ = false;
  std::string previous_;
};

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip = false);
std::string read_text(const std::string& path);
/// `j` with `key` set to `value` (a scheme object with one option changed, say).
inline nlohmann::json with_key(nlohmann::json j, const std::string& key, const nlohmann::json& value) {
  j[key] = value;
  return j;
}

void write_text(const std::string& path, const std::string& text);

/// idx bytes: images [n, h, w] with a class-dependent bright square (learnable), labels [n].
std::vector<uint8_t> idx_images(int n, int h, int w, int classes, unsigned seed);
std::vector<uint8_t> idx_labels(int n, int classes);

/// Writes a Fashion-MNIST-style idx data set (train-* and t10k-*, gzipped) into `dir`.
void write_idx_dataset(const std::string& dir, int train, int test, int size, int classes);

/// Writes `per_class` JPEGs (quality 90) per class into root/<split>/class<k>/, each of its own
/// size (sides drawn in [min_side, max_side]) with a smooth, class-dependent picture and noise.
void write_jpeg_folder(const std::string& root, const std::string& split, int classes, int per_class, int min_side,
                       int max_side, unsigned seed);

/// Exit status (128 + signal when killed) and stdout and stderr together.
using CommandResult = ShellResult;
/// Runs a shell command, capturing its stdout and stderr.
CommandResult run_shell(const std::string& command);
/// Runs `odenet ARGS` through the shell, capturing output.
CommandResult run_odenet(const std::string& args);

/// Starts `odenet ARGS...` without a shell, its stdout and stderr into the file `output`
/// (/dev/null to drop them), with `env` ("NAME=value") added to this process's environment;
/// returns the child's pid for kill() and waitpid().
pid_t spawn_odenet(const std::vector<std::string>& args, const std::string& output,
                   const std::vector<std::string>& env = {});

/// The message of the `E` that `read` throws, or "(no error)".
template <class E, class F>
std::string error_message(F&& read) {
  try {
    read();
  } catch (const E& e) {
    return e.what();
  }
  return "(no error)";
}

/// A small LM-ResNet experiment (depth 8, width 4, pre-activation) on the idx data set in `data`.
nlohmann::json tiny_experiment(const std::string& data, const std::string& name, int epochs);

/// The lines of a metrics.jsonl file.
std::vector<nlohmann::json> metric_lines(const std::string& path);

}  // namespace odenet::test
