#include "training/step_phases.h"

#include <torch/cuda.h>

namespace odenet {

PhaseClock::PhaseClock(StepPhases* sink, const c10::Device& device)
    : sink_(sink), wait_for_device_(sink && device.is_cuda()), device_index_(device.index()) {
  if (!sink_) return;
  if (wait_for_device_) torch::cuda::synchronize(device_index_);
  last_ = std::chrono::steady_clock::now();
}

void PhaseClock::lap(size_t phase) {
  if (!sink_) return;
  if (wait_for_device_) torch::cuda::synchronize(device_index_);
  const auto now = std::chrono::steady_clock::now();
  seconds_[phase] = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  if (phase + 1 == StepPhases::kCount) sink_->steps.push_back(seconds_);
}

}  // namespace odenet
