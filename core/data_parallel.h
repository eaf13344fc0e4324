// Data-parallel training as the trainer sees it: the ranks of one run, each
// training on its share of every global batch. With weights w_r = n_r / N
// (rank r's share of a global batch of N examples), the summed gradient
// Σ_r w_r ∇L_r(θ) is the gradient of the global batch's mean loss, so every
// rank takes the step a single process would. distributed/ implements this
// over c10d process groups; the trainer includes no c10d header.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

namespace odenet {

class DataParallelGroup {
 public:
  virtual ~DataParallelGroup() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  /// Σ over ranks, in place and blocking; every rank passes tensors of the same shapes, in the same order.
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  /// Rank 0's values on every rank, in place.
  virtual void broadcast(std::vector<torch::Tensor>& tensors) = 0;
  /// From now on the gradients of `parameters` are summed over ranks in buckets, each sent as
  /// soon as backward has produced all of its gradients (overlapping the rest of backward).
  virtual void attach_gradients(const std::vector<torch::Tensor>& parameters) = 0;
  /// Before a backward pass (of this rank's part of the global loss, w_r L_r); `stop` is this
  /// rank's wish to stop after the step (carried with the gradients: no extra round trip).
  virtual void begin_backward(bool stop) = 0;
  /// After it (also when this rank had no examples and ran no backward): waits for the sums.
  /// Every parameter used on some rank then holds Σ_r w_r ∇L_r; one used on none keeps no
  /// gradient, as in a single process. Returns true when any rank asked to stop.
  virtual bool end_backward() = 0;
};

/// True for the process that speaks and writes for a run: rank 0, or the only process (null group).
inline bool is_lead_rank(const DataParallelGroup* group) { return !group || group->rank() == 0; }

/// Replaces each floating-point buffer (BatchNorm running statistics) by its mean over the ranks;
/// integer buffers (batch counters) advance alike on every rank and are left alone.
void average_buffers(DataParallelGroup& group, const std::vector<torch::Tensor>& buffers);

/// Compares every rank's `parameters` with rank 0's, bit for bit; returns the ranks that differ
/// (the same list on every rank).
std::vector<int> ranks_with_other_parameters(DataParallelGroup& group, const std::vector<torch::Tensor>& parameters);

/// Rank 0's decision on every rank (an epoch boundary that must be the same everywhere).
bool rank0_decides(DataParallelGroup& group, bool decision);

}  // namespace odenet
