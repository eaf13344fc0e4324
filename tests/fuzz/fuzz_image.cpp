// JPEG and PNG decoding (libjpeg-turbo, libpng) and the channel conversion after it.
#include "core/error.h"
#include "data/image_codec.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = odenet::fuzz::input_file(data, size, ".img");
  try {
    auto image = odenet::decode_image_file(file);
    odenet::convert_channels(image, image.channels == 3 ? 1 : 3);
  } catch (const odenet::Error&) {
  }
  return 0;
}
