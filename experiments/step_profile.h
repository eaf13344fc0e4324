// Where a training step's time goes: LibTorch's profiler records the steps
// (a Chrome trace anyone can open in chrome://tracing or Perfetto), and the
// trace is folded into self and total time per operator.
#pragma once
#include <string>
#include <vector>

#include "training/trainer.h"

namespace odenet {

struct OperatorTime {
  std::string name;
  double self_ms = 0, total_ms = 0;  ///< summed over the profiled steps
  int64_t calls = 0;
};

/// Self and total time per operator name of a Chrome trace ("ph": "X" events; an event's self
/// time is its duration less that of the events nested in it on the same thread), largest self first.
std::vector<OperatorTime> fold_trace(const std::string& trace_path);

/// Trains `steps` steps (after `warmup` untimed ones) under the profiler, writes the trace to
/// `trace_path` and returns its folded times.
std::vector<OperatorTime> profile_steps(Trainer& trainer, int64_t steps, int64_t warmup, const std::string& trace_path);

}  // namespace odenet
