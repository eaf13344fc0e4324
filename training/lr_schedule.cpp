#include "training/lr_schedule.h"

#include <fmt/format.h>

#include <cmath>

#include "core/json_reader.h"

namespace odenet {

const EnumNames<ScheduleKind>& schedule_kind_names() {
  static const EnumNames<ScheduleKind> names{
      {"multistep", ScheduleKind::kMultistep}, {"cosine", ScheduleKind::kCosine}, {"constant", ScheduleKind::kConstant}};
  return names;
}

ScheduleOptions read_schedule_options(const JsonReader& r, long epochs, double lr) {
  ScheduleOptions s;
  s.kind = enum_value(r, "name", schedule_kind_names(), ScheduleKind::kMultistep);
  s.warmup_epochs = r.number("warmup_epochs", 0, static_cast<double>(epochs), 0);
  switch (s.kind) {
    case ScheduleKind::kMultistep:
      s.milestones = r.integers("milestones", 1, epochs, {});
      for (size_t i = 1; i < s.milestones.size(); ++i)
        if (s.milestones[i] <= s.milestones[i - 1]) r.fail(fmt::format("milestones/{}", i), "milestones must increase");
      s.gamma = r.number("gamma", 0, 1, 0.1);
      break;
    case ScheduleKind::kCosine:
      s.min_lr = r.number("min_lr", 0, lr, 0);
      break;
    case ScheduleKind::kConstant:
      break;
  }
  r.finish();
  return s;
}

nlohmann::json to_json(const ScheduleOptions& s) {
  nlohmann::json j{{"name", enum_name(schedule_kind_names(), s.kind)}, {"warmup_epochs", s.warmup_epochs}};
  switch (s.kind) {
    case ScheduleKind::kMultistep:
      j["milestones"] = s.milestones;
      j["gamma"] = s.gamma;
      break;
    case ScheduleKind::kCosine:
      j["min_lr"] = s.min_lr;
      break;
    case ScheduleKind::kConstant:
      break;
  }
  return j;
}

double learning_rate(const ScheduleOptions& s, double base_lr, double t, long total_epochs) {
  if (s.warmup_epochs > 0 && t < s.warmup_epochs) return base_lr * t / s.warmup_epochs;
  switch (s.kind) {
    case ScheduleKind::kMultistep: {
      double lr = base_lr;
      for (long m : s.milestones)
        if (std::floor(t) >= m) lr *= s.gamma;
      return lr;
    }
    case ScheduleKind::kCosine: {
      const double span = total_epochs - s.warmup_epochs;
      const double progress = span > 0 ? (t - s.warmup_epochs) / span : 1.0;
      return s.min_lr + 0.5 * (base_lr - s.min_lr) * (1.0 + std::cos(M_PI * std::min(progress, 1.0)));
    }
    case ScheduleKind::kConstant:
      break;
  }
  return base_lr;
}

}  // namespace odenet
