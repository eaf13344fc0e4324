// A run's memory, sized before the run allocates it: its parameters, their gradients and the
// optimiser's momentum, and the activations a training step keeps for backward (and an
// evaluation pass holds), measured by building the model under an AllocationMeter and running
// a training step at batch 2 and 4 and an evaluation at 1 and 2 — activations grow linearly in the batch, so two points give them at
// any batch. A model whose parameters alone pass the limit stops being built there.
#pragma once
#include <torch/nn/module.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "experiments/experiment.h"

namespace odenet {

struct MemoryEstimate {
  int64_t parameters = 0;       ///< bytes of the model's parameters and buffers
  int64_t gradients = 0;        ///< one gradient per parameter
  int64_t optimizer_state = 0;  ///< SGD's momentum buffers (none without momentum)
  int64_t activations = 0;      ///< a training step's peak above the model, at its batch per process
  int64_t evaluation = 0;       ///< an evaluation pass's peak above the model, at its batch per process
  long batch = 0, eval_batch = 0;  ///< the batches per process they were extrapolated to

  /// The peak of a run: the model, its gradients and momentum, and the larger of a step and an evaluation.
  int64_t total() const;
  /// "1.2 GiB (parameters 1.0 MiB, gradients 1.0 MiB, momentum 1.0 MiB, activations at batch 128 1.1 GiB)".
  std::string describe() const;
};

/// Bytes of a model's parameters and buffers.
int64_t model_bytes(const torch::nn::Module& model);

/// The limit runs are checked against and where it comes from (for messages): `given`
/// (--memory-limit), else, for runs on the CPU, the memory available now; 0 (no check) for
/// GPU runs given none.
struct MemoryLimit {
  int64_t bytes = 0;
  std::string where;
};
MemoryLimit memory_limit_for(const std::optional<int64_t>& given, bool on_cpu);

/// Runs alike but for their seed need the same memory: the key that measures them once.
std::string memory_key(const RunSpec& run);

/// Images as a run receives them, and their classes.
struct RunInput {
  std::array<int64_t, 3> shape{};  ///< channels, height, width
  int64_t classes = 0;
};
/// What the run's data set declares (the size in its files' headers where the format can read
/// it, its format's size, else the layout's native input size), for estimates made without
/// reading the data (`validate`, a launcher).
RunInput declared_input(const RunSpec& run);

/// Measures `run` on images of `input`, with its batches split over `shards` data-parallel
/// ranks. A model whose parameters, extrapolated from small widths, pass `limit` / 2 (with their
/// gradients they would not fit) is refused before it is built; otherwise it is built on the CPU
/// under a meter bounded by `limit` / 2. Refusals are ConfigErrors naming the run, the size and
/// `where` the limit comes from (0: no limit).
MemoryEstimate estimate_run_memory(const RunSpec& run, const RunInput& input, int shards, int64_t limit,
                                   const std::string& where = "the limit");

/// The check `run`, its launcher and `validate` make: a ConfigError "<file>: run <id>: needs
/// about <estimate>; <where> is <limit>" when `copies` processes of the run, each with
/// 1/`shards` of its batches, would not fit in `limit` (0: no limit, only the estimate).
MemoryEstimate check_run_memory(const RunSpec& run, const RunInput& input, int shards, int copies, int64_t limit,
                                const std::string& where);

}  // namespace odenet
