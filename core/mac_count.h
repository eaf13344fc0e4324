// Multiply–accumulate counting from the built model: convolutions and linear
// layers report their MACs (output elements × inputs per output) while a
// MacCount is alive on the thread; nothing is counted otherwise.
#pragma once
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "core/classifier.h"

namespace odenet {

class MacCount {
 public:
  MacCount();
  ~MacCount();
  MacCount(const MacCount&) = delete;
  MacCount& operator=(const MacCount&) = delete;
  int64_t total() const { return total_; }

 private:
  int64_t total_ = 0;
  int64_t* previous_;
};

/// conv(x), counting N·H_out·W_out·C_out·(C_in/groups)·k_h·k_w MACs.
torch::Tensor counted(torch::nn::Conv2d& conv, const torch::Tensor& x);
/// linear(x), counting N·out·in MACs.
torch::Tensor counted(torch::nn::Linear& linear, const torch::Tensor& x);

/// MACs of one forward pass of one image of shape [C, H, W] (eval mode, no gradients).
int64_t macs_per_image(ClassifierImpl& model, int64_t channels, int64_t height, int64_t width);

}  // namespace odenet
