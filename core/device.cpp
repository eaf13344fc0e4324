#include "core/device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <fmt/format.h>

#include "core/enum_names.h"
#include "core/error.h"

namespace odenet {

c10::Device select_device(const std::string& request) {
  enum class DeviceKind { kAuto, kCpu, kCuda };
  static const EnumNames<DeviceKind> kinds{{"auto", DeviceKind::kAuto}, {"cpu", DeviceKind::kCpu}, {"cuda", DeviceKind::kCuda}};
  const size_t colon = request.find(':');
  const auto kind = find_enum(kinds, request.substr(0, colon));
  if (!kind || (colon != std::string::npos && *kind != DeviceKind::kCuda))
    throw ConfigError(fmt::format("device '{}' is not one of: auto, cpu, cuda, cuda:N", request));
  const bool cuda = torch::cuda::is_available();
  if (*kind == DeviceKind::kCpu || (*kind == DeviceKind::kAuto && !cuda)) return c10::Device(c10::kCPU);
  if (!cuda)
    throw ConfigError(fmt::format("device '{}': this LibTorch {} build sees no CUDA device (use cpu or auto)", request,
                                  TORCH_VERSION));
  c10::Device device(c10::kCUDA, 0);
  if (colon != std::string::npos) {
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
