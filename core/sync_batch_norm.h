// BatchNorm as every odenet network applies it: torch::nn::BatchNorm2d, or,
// inside a SyncBatchNormScope (data-parallel training with
// train.sync_batchnorm), in training mode with statistics over the global
// batch instead of this rank's share:
//   μ = Σ_r Σ x / M,  σ² = Σ_r Σ x² / M − μ²   (M: examples × pixels over all ranks),
//   y = (x − μ) / √(σ² + ε) · γ + β,
// the sums all-reduced in forward and their gradients all-reduced in backward.
#pragma once
#include <torch/nn/modules/batchnorm.h>

#include "core/data_parallel.h"

namespace odenet {

/// `bn` applied to `x`, in fp32: a bf16 or fp16 `x` (a convolution's output under autocast) is
/// cast up and the result stays fp32, so BatchNorm and the residual stream after it are fp32.
torch::Tensor batch_norm(torch::nn::BatchNorm2d bn, const torch::Tensor& x);

/// While alive, training-mode batch_norm on this thread pools its statistics over `group`'s ranks
/// (null: no change). Scoped like autocast: the trainer opens one around each forward pass.
class SyncBatchNormScope {
 public:
  explicit SyncBatchNormScope(DataParallelGroup* group);
  ~SyncBatchNormScope();
  SyncBatchNormScope(const SyncBatchNormScope&) = delete;
  SyncBatchNormScope& operator=(const SyncBatchNormScope&) = delete;

 private:
  DataParallelGroup* previous_;
};

/// The group of the innermost open scope (null: none); a recomputation in backward reopens it.
DataParallelGroup* sync_batch_norm_group();

}  // namespace odenet
