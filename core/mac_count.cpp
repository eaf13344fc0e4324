#include "core/mac_count.h"

#include <torch/types.h>

namespace odenet {
namespace {

thread_local int64_t* active_counter = nullptr;

}  // namespace

MacCount::MacCount() : previous_(active_counter) { active_counter = &total_; }
MacCount::~MacCount() { active_counter = previous_; }

torch::Tensor counted(torch::nn::Conv2d& conv, const torch::Tensor& x) {
  torch::Tensor y = conv(x);
  if (active_counter) *active_counter += y.numel() * (conv->weight.numel() / conv->weight.size(0));
  return y;
}

torch::Tensor counted(torch::nn::Linear& linear, const torch::Tensor& x) {
  torch::Tensor y = linear(x);
  if (active_counter) *active_counter += y.numel() * linear->weight.size(1);
  return y;
}

int64_t macs_per_image(ClassifierImpl& model, int64_t channels, int64_t height, int64_t width) {
  torch::NoGradGuard no_grad;
  bool training = model.is_training();
  model.eval();
  MacCount count;
  model.forward(torch::zeros({1, channels, height, width}));
  model.train(training);
  return count.total();
}

}  // namespace odenet
