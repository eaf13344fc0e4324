// Learning-rate schedules, evaluated per optimisation step: the options, their
// strict reader and writer, and the rate at a fractional epoch.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/enum_names.h"

namespace odenet {

class JsonReader;

enum class ScheduleKind { kMultistep, kCosine, kConstant };
const EnumNames<ScheduleKind>& schedule_kind_names();  ///< multistep, cosine, constant

struct ScheduleOptions {
  ScheduleKind kind = ScheduleKind::kMultistep;  ///< train.schedule.name
  std::vector<long> milestones;  ///< multistep: epochs at which lr *= gamma
  double gamma = 0.1;            ///< multistep factor
  double min_lr = 0.0;           ///< cosine floor
  double warmup_epochs = 0;      ///< linear ramp from 0 to the base lr, per step
};

/// Reads a train.schedule object strictly: milestones increase within [1, epochs], the warm-up
/// lasts at most `epochs`, the cosine floor is at most the base rate `lr`.
ScheduleOptions read_schedule_options(const JsonReader& r, long epochs, double lr);
/// The object read_schedule_options reads back to `s` (only the keys of its kind).
nlohmann::json to_json(const ScheduleOptions& s);

/// Learning rate at fractional epoch `t` (epoch index + step/steps_per_epoch) of `total_epochs`:
/// multistep lr·γ^{#milestones ≤ epoch}; cosine min + ½(lr − min)(1 + cos(π t'/T')) after warm-up.
double learning_rate(const ScheduleOptions& schedule, double base_lr, double t, long total_epochs);

}  // namespace odenet
