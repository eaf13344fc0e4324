#include "core/sync_batch_norm.h"

#include <torch/autograd.h>

namespace odenet {
namespace {

thread_local DataParallelGroup* sync_group = nullptr;

// y = Σ_r x_r in forward; in backward each rank's x_r receives Σ_r ∂L_r/∂y.
struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, int64_t group) {
    ctx->saved_data["group"] = group;
    std::vector<torch::Tensor> t{x.clone()};
    reinterpret_cast<DataParallelGroup*>(group)->all_reduce_sum(t);
    return t[0];
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    std::vector<torch::Tensor> t{grads[0].contiguous().clone()};
    reinterpret_cast<DataParallelGroup*>(ctx->saved_data["group"].toInt())->all_reduce_sum(t);
    return {t[0], torch::Tensor()};
  }
};

torch::Tensor synchronized_batch_norm(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& input, DataParallelGroup& group) {
  const auto& o = bn.options;
  const int64_t channels = input.size(1);
  const torch::Tensor x = input.to(torch::kFloat32);
  const double local = static_cast<double>(input.numel() / std::max<int64_t>(1, channels));
  // [Σx (C), Σx² (C), count (1)] of this rank, then of all ranks.
  torch::Tensor stats = torch::cat({x.sum({0, 2, 3}), x.square().sum({0, 2, 3}), torch::full({1}, local, x.options())});
  stats = AllReduceSum::apply(stats, reinterpret_cast<int64_t>(&group));
  const torch::Tensor count = stats.narrow(0, 2 * channels, 1).detach();
  const torch::Tensor mean = stats.narrow(0, 0, channels) / count;
  const torch::Tensor var = (stats.narrow(0, channels, channels) / count - mean.square()).clamp_min(0.0);
  const std::vector<int64_t> shape{1, channels, 1, 1};
  torch::Tensor y = (x - mean.view(shape)) * torch::rsqrt(var.view(shape) + o.eps());
  if (o.affine()) y = y * bn.weight.view(shape) + bn.bias.view(shape);
  if (o.track_running_stats()) {  // the running variance unbiased, as torch's BatchNorm keeps it
    torch::NoGradGuard no_grad;
    const double m = count.item<double>(), momentum = o.momentum().value_or(0.1);
    bn.num_batches_tracked.add_(1);
    bn.running_mean.mul_(1 - momentum).add_(mean.detach(), momentum);
    bn.running_var.mul_(1 - momentum).add_(var.detach() * (m / std::max(1.0, m - 1)), momentum);
  }
  return y.to(input.scalar_type());
}

}  // namespace

torch::Tensor batch_norm(torch::nn::BatchNorm2d bn, const torch::Tensor& x) {
  // Under autocast x arrives in bf16/fp16 from a convolution; LibTorch's BatchNorm would return
  // that type. Cast it up so the statistics, the normalisation and the output are fp32.
  const torch::Tensor input = x.is_floating_point() && c10::elementSize(x.scalar_type()) < 4 ? x.to(torch::kFloat32) : x;
  if (sync_group && bn->is_training()) return synchronized_batch_norm(*bn, input, *sync_group);
  return bn->forward(input);
}

SyncBatchNormScope::SyncBatchNormScope(DataParallelGroup* group) : previous_(sync_group) {
  if (group) sync_group = group;
}

SyncBatchNormScope::~SyncBatchNormScope() { sync_group = previous_; }

DataParallelGroup* sync_batch_norm_group() { return sync_group; }

}  // namespace odenet
