// ExactMomentum's step as fused CPU loops: one pass over the elements instead of some thirty
// tensor operations, each a pass over int64 memory and most allocating one (7–8× faster on a
// 256 × 16 × 32 × 32 state, 2 cores). The same arithmetic as the tensor form, bit for bit
// (ExactMomentum.FusedCpuLoopsAreTheTensorFormBitForBit).
#pragma once
#include <torch/types.h>

#include <vector>

namespace odenet::exact_cpu {

struct StepNumbers {
  int64_t n;               ///< γ = n / d, d = ExactMomentum::kDenominator
  double inverse_n;        ///< 1 / n
  double one_minus_gamma;  ///< 1 − n / d
  double dt, scale;        ///< Δt; the grid: 2^fraction_bits units per 1
  double limit;            ///< |x · scale| must stay below it (2⁶¹)
};

/// v ← ⌊γ v⌋ + q((1 − γ) f), u ← u + q(Δt v), each element's preimage index pushed onto the
/// limbs (the top one zero on entry). u, v: contiguous int64; f: contiguous floating, same count.
/// Returns the largest |value| that left the range (0 when none) and sets `top_used` when the
/// top limb received a digit.
double forward(int64_t* u, int64_t* v, const torch::Tensor& f, const std::vector<int64_t*>& limbs, int64_t count,
               const StepNumbers& k, bool& top_used);
/// out ← x / scale, as out's dtype (x: contiguous int64; out: contiguous floating, same count).
void values(const int64_t* x, torch::Tensor& out, int64_t count, double scale);
/// u ← u − q(Δt v).
void undo_u(int64_t* u, const int64_t* v, int64_t count, const StepNumbers& k);
/// v ← v − q((1 − γ) f), then v ← the preimage its popped index names. Returns how many limbs
/// still hold a nonzero digit somewhere.
size_t undo_v(int64_t* v, const torch::Tensor& f, const std::vector<int64_t*>& limbs, int64_t count, const StepNumbers& k);

}  // namespace odenet::exact_cpu
