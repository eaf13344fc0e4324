// Multiply–accumulate counting by observation: while a MacCount is alive on a thread, every
// convolution and matrix product the thread runs is counted from its operands' shapes (a
// RecordFunction observer on aten::convolution, aten::addmm and aten::mm), so no layer has
// to report itself and a new block cannot be under-counted.
//   convolution: N·H_out·W_out·C_out · (C_in/groups)·k_h·k_w;  addmm / mm: rows·cols · inner
#pragma once
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
  uint64_t handle_;
};

/// MACs of one forward pass of one image of shape [C, H, W] (eval mode, no gradients).
int64_t macs_per_image(ClassifierImpl& model, int64_t channels, int64_t height, int64_t width);

}  // namespace odenet
