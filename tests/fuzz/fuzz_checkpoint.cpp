// Checkpoints: the container (header, size, CRC) and then the LibTorch archive inside, loaded
// into a small model the way Trainer::load_checkpoint does (LibTorch's errors become odenet's).
#include <c10/util/Exception.h>
#include <torch/nn/modules/linear.h>
#include <torch/serialize.h>

#include <cstdlib>

#include "core/error.h"
#include "tests/fuzz/fuzz_support.h"
#include "training/checkpoint_file.h"

// `fuzz_checkpoint --write-seed FILE` writes the seed corpus's valid checkpoint (a Linear(4, 2)
// under "model", the layout Trainer::save_checkpoint uses) and exits.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  if (*argc == 3 && std::string((*argv)[1]) == "--write-seed") {
    torch::nn::Linear model(4, 2);
    torch::serialize::OutputArchive archive, model_archive;
    model->save(model_archive);
    archive.write("model", model_archive);
    std::string payload;
    archive.save_to([&](const void* data, size_t size) {
      payload.append(static_cast<const char*>(data), size);
      return size;
    });
    odenet::write_checkpoint_file((*argv)[2], payload, {{"config_hash", "0123456789abcdef"}, {"seed", 0}, {"epoch", 1}});
    std::exit(0);
  }
  return 0;
}

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
