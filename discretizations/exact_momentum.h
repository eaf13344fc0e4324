// Momentum steps reversed bit for bit (after Maclaurin, Duvenaud, Adams, ICML 2015, whose scheme
// the momentumnet library uses): u and v held in fixed point (int64 multiples of 2^−fraction_bits)
// and γ as a ratio n/d (d = 2²⁴), so that
//   v ← ⌊γ v⌋      rounds down on the grid (error < one unit) and pushes into a per-element store
//                  (an arbitrary-precision integer) which of the ⌊1/γ⌋ or ⌈1/γ⌉ values with that
//                  image v was — undone by popping it;
//   v ← v + q((1 − γ) f(u)),  u ← u + q(Δt v)   add values that are functions of what the other
//                  update keeps (q: round to the grid), undone by subtracting them.
// Each step grows the store by log₂ ⌈1/γ⌉ or log₂ ⌊1/γ⌋ bits per element, depending on v's low
// digits: on average −log₂ γ to 1.4 · (−log₂ γ) for noisy ones (0.15–0.2 at γ = 0.9), at most
// 1 for γ ≥ 0.5 — instead of the 32 a stored float costs. (Maclaurin et al. push the remainder
// and pop the product's low digit: exactly −log₂ γ bits, but an error of up to n grid units,
// 2⁻¹⁶ at d = 2²⁴ and 40 fraction bits, which gradients feel.) γ = 0 (ResNet) is not
// invertible: v_n is not a function of the output.
// Everything is elementwise on tensors (any device); f must be deterministic (same input bits,
// same output bits), as it is on a CPU and with deterministic cuDNN algorithms.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace odenet {

/// Per-element arbitrary-precision non-negative integers, each used as a stack of mixed-radix
/// digits: 32-bit limbs in int64 tensors of the elements' shape, least significant first.
class BitStore {
 public:
  /// store ← store · radix + digit, elementwise (0 ≤ digit < radix ≤ 2³⁰; radix int64,
  /// per element or broadcast).
  void push(const torch::Tensor& digit, const torch::Tensor& radix);
  /// digit ← store mod radix, store ← store div radix, elementwise; digits shaped like `like`.
  torch::Tensor pop(const torch::Tensor& radix, const torch::Tensor& like);
  /// Σ over elements of each store's length in bits.
  int64_t bits() const;
  /// Memory the limbs hold.
  int64_t bytes() const;
  /// For fused loops: the limbs' data, with a zero limb added on top to take a push's carry
  /// (kept between pushes, so that each does not allocate one).
  std::vector<int64_t*> open_for_push(const torch::Tensor& like);
  /// After a fused push: whether that top limb received a digit.
  void close_push(bool top_used);
  /// The limbs' data.
  std::vector<int64_t*> data();
  /// Keeps the lowest `count` limbs (those above hold only zeros); frees the spare limb.
  void keep(size_t count);

 private:
  std::vector<torch::Tensor> limbs_;
  torch::Tensor spare_;  ///< zeros, or undefined
};

class ExactMomentum {
 public:
  using Field = std::function<torch::Tensor(const torch::Tensor&)>;
  /// Values handed to f are of `dtype`; |u|, |v|, |f| must stay below 2^(61 − fraction_bits).
  /// `fused_cpu`: CPU tensors go through exact_momentum_cpu.h's loops (the tensor operations otherwise).
  explicit ExactMomentum(torch::ScalarType dtype = torch::kFloat32, int fraction_bits = 40, bool fused_cpu = true);
  /// γ = n / 2^kDenominatorBits: the grid of the exact multiplication.
  static constexpr int kDenominatorBits = 24;
  static constexpr int64_t kDenominator = int64_t{1} << kDenominatorBits;
  /// γ as the exact multiplication uses it: the nearest n / 2²⁴.
  static double representable_gamma(double gamma);
  /// Likewise for a tensor γ (a learned one), rounded as representable_gamma rounds (ties to even).
  static torch::Tensor representable_gamma(const torch::Tensor& gamma);
  /// One step forward on the fixed-point state (u, v); the store grows by log₂ ⌊1/γ⌋ or
  /// log₂ ⌈1/γ⌉ bits per element.
  void forward(torch::Tensor& u, torch::Tensor& v, const Field& f, double gamma, double dt);
  /// One step backward: the exact inverse of forward with the same γ and Δt.
  void inverse(torch::Tensor& u, torch::Tensor& v, const Field& f, double gamma, double dt);
  /// x on the fixed-point grid (int64); an error naming the value when it leaves the range.
  torch::Tensor quantize(const torch::Tensor& x) const;
  /// The fixed-point x as `dtype`.
  torch::Tensor value(const torch::Tensor& x) const;
  /// No more forward steps for now: frees the spare limb the fused forward keeps.
  void end_forward() { store_.keep(SIZE_MAX); }
  int64_t store_bits() const { return store_.bits(); }
  int64_t store_bytes() const { return store_.bytes(); }

 private:
  static int64_t numerator(double gamma);
  static torch::Tensor first_preimage(const torch::Tensor& s, int64_t n);
  void scale_down(torch::Tensor& v, int64_t n);
  void scale_up(torch::Tensor& v, int64_t n);
  torch::Tensor step_of_u(const torch::Tensor& v, double dt) const;
  void check_range(const torch::Tensor& fixed) const;
  [[noreturn]] void out_of_range(double largest) const;
  bool fused(const torch::Tensor& u) const { return fused_cpu_ && u.is_cpu(); }
  void forward_fused(torch::Tensor& u, torch::Tensor& v, const torch::Tensor& f, int64_t n, double dt);
  void inverse_fused(torch::Tensor& u, torch::Tensor& v, const Field& f, int64_t n, double dt);
  torch::ScalarType dtype_;
  int fraction_bits_;
  bool fused_cpu_;
  double scale_;
  BitStore store_;
};

}  // namespace odenet
