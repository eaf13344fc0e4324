// Learning-rate schedules, evaluated per optimisation step.
#pragma once
#include <string>
#include <vector>

namespace odenet {

struct ScheduleOptions {
  std::string name = "multistep";  ///< "multistep", "cosine" or "constant"
  std::vector<long> milestones;    ///< multistep: epochs at which lr *= gamma
  double gamma = 0.1;              ///< multistep factor
  double min_lr = 0.0;             ///< cosine floor
  double warmup_epochs = 0;        ///< linear ramp from 0 to the base lr, per step
};

/// Learning rate at fractional epoch `t` (epoch index + step/steps_per_epoch) of `total_epochs`:
/// multistep lr·γ^{#milestones ≤ epoch}; cosine min + ½(lr − min)(1 + cos(π t'/T')) after warm-up.
double learning_rate(const ScheduleOptions& schedule, double base_lr, double t, long total_epochs);

}  // namespace odenet
