// Where training runs: the CPU, or a CUDA device when this LibTorch build
// sees one. A choice of the machine, like the thread count, not of the
// experiment: results record the device they were produced on.
#pragma once
#include <c10/core/Device.h>

#include <string>

namespace odenet {

/// "auto" (the first CUDA device if there is one, else the CPU), "cpu", "cuda" or "cuda:N";
/// a CUDA request this build or machine cannot serve is a ConfigError naming it. On CUDA,
/// cuDNN's autotuner is switched on (fixed input shapes).
c10::Device select_device(const std::string& request);

}  // namespace odenet
