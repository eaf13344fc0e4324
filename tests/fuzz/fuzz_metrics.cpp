// A run's metrics.jsonl.
#include "core/error.h"
#include "tests/fuzz/fuzz_support.h"
#include "training/trainer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = odenet::fuzz::input_file(data, size, ".jsonl");
  try {
    odenet::read_metrics_file(file);
  } catch (const odenet::Error&) {
  }
  return 0;
}
