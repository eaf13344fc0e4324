// Experiment files: JSON → validated runs. Any input must end in a ConfigError (or load).
#include "core/error.h"
#include "experiments/experiment.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = odenet::fuzz::input_file(data, size, ".json");
  try {
    odenet::load_experiment(file);
  } catch (const odenet::Error&) {
  }
  return 0;
}
