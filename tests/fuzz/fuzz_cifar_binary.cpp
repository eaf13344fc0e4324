// CIFAR-10 and CIFAR-100 binary batches.
#include "core/error.h"
#include "data/cifar_binary_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = odenet::fuzz::input_file(data, size, ".bin");
  for (auto variant : {odenet::CifarVariant::kCifar10, odenet::CifarVariant::kCifar100}) {
    try {
      odenet::read_cifar_binary({file}, variant);
    } catch (const odenet::Error&) {
    }
  }
  return 0;
}
