// CPU building blocks of the fused LM-ResNet combination, shared by the per-step
// operation (lm_combination.cpp) and the linked run of a stage (lm_run.cpp).
#pragma once
#include <torch/types.h>

#include <algorithm>
#include <vector>

namespace odenet {

// Loops are compiled twice where the compiler can (AVX2/FMA and baseline x86-64, picked at
// load time), as LibTorch's own kernels are.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define ODENET_VECTOR_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define ODENET_VECTOR_CLONES
#endif

/// How per-channel weights map onto the flat elements: one weight; one per channel with channels
/// innermost (channels-last: element i has channel i % C); one per channel plane (NCHW: planes of
/// H·W elements, plane q has channel q % C).
struct WeightLayout {
  int64_t channels = 1, plane = 1;
  bool last = false;
};

/// Whether `tensors` (all defined, CPU, float32/float64, one shape and one memory layout, NCHW-like
/// contiguous or 4-D channels-last) can be walked as flat arrays with a weight of `weight_count`
/// entries (1 or the channels); fills `layout`.
bool fused_layout(const std::vector<torch::Tensor>& tensors, int64_t weight_count, WeightLayout& layout);

/// A fixed partition of n elements into chunks of whole weight runs (C elements channels-last, a
/// plane NCHW), so that per-chunk sums add up in the same order on any number of threads.
struct Chunks {
  int64_t run, per_chunk, count;
  Chunks(int64_t n, const WeightLayout& layout) {
    run = layout.channels == 1 ? 1 : (layout.last ? layout.channels : layout.plane);
    per_chunk = std::max<int64_t>(1, 16384 / run) * run;
    count = (n + per_chunk - 1) / per_chunk;
  }
};

/// Reductions run in this many independent lanes, so that they vectorise without reordering
/// anything but the lanes.
constexpr int kLanes = 16;

/// Σ over the chunks of per-chunk, per-channel sums (`partial`: count × C, chunk-major), in chunk order.
inline std::vector<double> channel_totals(const std::vector<double>& partial, const Chunks& chunks, int64_t C) {
  std::vector<double> total(static_cast<size_t>(C), 0.0);
  for (int64_t k = 0; k < chunks.count; ++k)
    for (int64_t c = 0; c < C; ++c) total[c] += partial[k * C + c];
  return total;
}

/// out = w ⊙ u + (1 − w) ⊙ previous + g in one loop (no autograd); `w` contiguous, of u's dtype.
torch::Tensor fused_combine(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g,
                            const torch::Tensor& w, const WeightLayout& layout);

}  // namespace odenet
