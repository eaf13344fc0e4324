// Checkpoints: the container (header, size, CRC) and then the LibTorch archive inside, loaded
// into a small model the way Trainer::load_checkpoint does (LibTorch's errors become odenet's).
#include <c10/util/Exception.h>
#include <torch/nn/modules/linear.h>
#include <torch/serialize.h>

#include "core/checkpoint_file.h"
#include "core/error.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string file = odenet::fuzz::input_file(data, size, ".pt");
  try {
    nlohmann::json identity;
    std::string payload = odenet::read_checkpoint_file(file, identity);
    torch::serialize::InputArchive archive, model_archive;
    archive.load_from(payload.data(), payload.size());
    archive.read("model", model_archive);
    torch::nn::Linear model(4, 2);
    model->load(model_archive);
  } catch (const odenet::Error&) {
  } catch (const c10::Error&) {  // Trainer::load_checkpoint turns these into one-line Errors naming the file
  }
  return 0;
}
