// Where a training step's wall time goes, phase by phase: the forward pass
// with the loss, the backward pass, the update (loss scaler and optimizer)
// and the bookkeeping (loss and accuracy sums). On the CPU the work is
// synchronous and the split exact; on CUDA the clock waits for the device at
// each boundary, which costs the step a little.
#pragma once
#include <c10/core/Device.h>

#include <array>
#include <chrono>
#include <vector>

namespace odenet {

struct StepPhases {
  static constexpr size_t kCount = 4;
  static constexpr std::array<const char*, kCount> kNames{"forward", "backward", "update", "bookkeeping"};
  std::vector<std::array<double, kCount>> steps;  ///< seconds per phase, one entry per timed step
};

/// Times one step into `sink` (nothing when null): `lap(p)` ends phase p; the last phase's lap
/// appends the step.
class PhaseClock {
 public:
  PhaseClock(StepPhases* sink, const c10::Device& device);
  void lap(size_t phase);

 private:
  StepPhases* sink_;
  bool wait_for_device_;
  c10::DeviceIndex device_index_;
  std::chrono::steady_clock::time_point last_;
  std::array<double, StepPhases::kCount> seconds_{};
};

}  // namespace odenet
