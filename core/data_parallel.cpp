#include "core/data_parallel.h"

#include <torch/utils.h>

namespace odenet {

void average_buffers(DataParallelGroup& group, const std::vector<torch::Tensor>& buffers) {
  std::vector<torch::Tensor> floating;
  for (const auto& b : buffers)
    if (b.defined() && b.is_floating_point()) floating.push_back(b);
  if (floating.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat{torch::cat([&] {
    std::vector<torch::Tensor> parts;
    for (const auto& b : floating) parts.push_back(b.reshape(-1).to(torch::kFloat64));
    return parts;
  }())};
  group.all_reduce_sum(flat);
  flat[0].div_(group.world_size());
  int64_t offset = 0;
  for (auto& b : floating) {
    b.copy_(flat[0].narrow(0, offset, b.numel()).view(b.sizes()));
    offset += b.numel();
  }
}

std::vector<int> ranks_with_other_parameters(DataParallelGroup& group, const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (const auto& p : parameters) parts.push_back(p.detach().reshape(-1).to(torch::kFloat32));
  const torch::Tensor mine = torch::cat(parts);
  std::vector<torch::Tensor> reference{mine.clone()};
  group.broadcast(reference);
  // Differences as one flag per rank, gathered by a sum of one-hot vectors.
  std::vector<torch::Tensor> flags{torch::zeros({group.world_size()}, torch::kFloat32)};
  flags[0][group.rank()] = torch::equal(mine, reference[0]) ? 0.0 : 1.0;
  group.all_reduce_sum(flags);
  std::vector<int> differing;
  for (int r = 0; r < group.world_size(); ++r)
    if (flags[0][r].item<float>() > 0) differing.push_back(r);
  return differing;
}

bool rank0_decides(DataParallelGroup& group, bool decision) {
  std::vector<torch::Tensor> flag{torch::full({1}, decision ? 1 : 0, torch::kInt64)};
  group.broadcast(flag);
  return flag[0].item<int64_t>() != 0;
}

}  // namespace odenet
