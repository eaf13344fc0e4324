// The decoded image-folder cache.
#include "core/error.h"
#include "data/image_folder_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = odenet::fuzz::input_file(data, size, ".cache");
  try {
    odenet::load_dataset_cache(file);
  } catch (const odenet::Error&) {
  }
  return 0;
}
