// idx image and label files: the input is split at its first 0xFF 0xFE pair into the two files.
#include <algorithm>

#include "core/error.h"
#include "data/idx_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t split = size;
  for (size_t i = 0; i + 1 < size; ++i)
    if (data[i] == 0xFF && data[i + 1] == 0xFE) {
      split = i;
      break;
    }
  const std::string images = odenet::fuzz::input_file(data, split, "-images");
  const std::string labels =
      odenet::fuzz::input_file(data + std::min(size, split + 2), size - std::min(size, split + 2), "-labels");
  try {
    odenet::read_idx_dataset(images, labels, 10);
  } catch (const odenet::Error&) {
  }
  return 0;
}
