#include "core/device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <fmt/format.h>

#include "core/error.h"

namespace odenet {

c10::Device select_device(const std::string& request) {
  const bool cuda = torch::cuda::is_available();
  if (request == "cpu" || (request == "auto" && !cuda)) return c10::Device(c10::kCPU);
  if (request != "auto" && request.rfind("cuda", 0) != 0)
    throw ConfigError(fmt::format("device '{}' is not one of: auto, cpu, cuda, cuda:N", request));
  if (!cuda)
    throw ConfigError(fmt::format("device '{}': this LibTorch {} build sees no CUDA device (use cpu or auto)", request,
                                  TORCH_VERSION));
  c10::Device device(c10::kCUDA, 0);
  if (request.size() > 4) {
    try {
      device = c10::Device(request);
    } catch (const c10::Error&) {
      throw ConfigError(fmt::format("device '{}' is not one of: auto, cpu, cuda, cuda:N", request));
    }
    if (device.index() >= static_cast<int>(torch::cuda::device_count()))
      throw ConfigError(fmt::format("device '{}': only {} CUDA device(s) are visible", request, torch::cuda::device_count()));
  }
  at::globalContext().setBenchmarkCuDNN(true);
  return device;
}

}  // namespace odenet
