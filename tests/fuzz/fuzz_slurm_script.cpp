// The Slurm script writer (odenet submit --slurm): the input, split at 0xFF bytes, gives the values
// that reach the script (results root, partition, time, experiment file and name, working
// directory, the odenet command). Either they are refused with a ConfigError, or the script has
// exactly the lines of a script written from plain values, each #SBATCH line one option: no value
// can add a line or an option (shell injection), whatever its bytes.
#include <sstream>
#include <vector>

#include "core/error.h"
#include "experiments/slurm_array.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

odenet::SlurmArrayOptions with_values(const std::vector<std::string>& v) {
  odenet::SlurmArrayOptions o;
  o.results_root = v[0];
  o.partition = v[1];
  o.time = v[2];
  o.experiment_file = v[3];
  o.experiment_name = v[4];
  o.working_directory = v[5];
  o.odenet_command = {v[6]};
  o.runs = 3;
  o.max_parallel = 2;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> values(7);
  size_t field = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0xFF) {
      if (++field == values.size()) break;
      continue;
    }
    values[field] += static_cast<char>(data[i]);
  }
  std::string script;
  try {
    script = odenet::slurm_array_script(with_values(values));
  } catch (const odenet::Error&) {
    return 0;
  }
  // The same script from plain values: the shape every accepted input must keep.
  std::vector<std::string> plain(7, "/p");
  plain[1] = values[1].empty() ? "" : "p";
  plain[2] = values[2].empty() ? "" : "1:00:00";
  plain[4] = "e";
  const auto expected = lines_of(odenet::slurm_array_script(with_values(plain)));
  const auto got = lines_of(script);
  if (got.size() != expected.size()) __builtin_trap();
  for (size_t i = 0; i < got.size(); ++i) {
    const bool directive = expected[i].rfind("#SBATCH ", 0) == 0;
    if (directive != (got[i].rfind("#SBATCH ", 0) == 0)) __builtin_trap();
    // sbatch splits a directive at blanks: one option per line, or a value added an option.
    if (directive && got[i].find_first_of(" \t", 8) != std::string::npos) __builtin_trap();
  }
  return 0;
}
