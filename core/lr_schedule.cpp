#include "core/lr_schedule.h"

#include <cmath>

namespace odenet {

double learning_rate(const ScheduleOptions& s, double base_lr, double t, long total_epochs) {
  if (s.warmup_epochs > 0 && t < s.warmup_epochs) return base_lr * t / s.warmup_epochs;
  if (s.name == "multistep") {
    double lr = base_lr;
    for (long m : s.milestones)
      if (std::floor(t) >= m) lr *= s.gamma;
    return lr;
  }
  if (s.name == "cosine") {
    double span = total_epochs - s.warmup_epochs;
    double progress = span > 0 ? (t - s.warmup_epochs) / span : 1.0;
    return s.min_lr + 0.5 * (base_lr - s.min_lr) * (1.0 + std::cos(M_PI * std::min(progress, 1.0)));
  }
  return base_lr;
}

}  // namespace odenet
