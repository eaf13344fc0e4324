// Momentum steps reversed bit for bit (Maclaurin, Duvenaud, Adams, ICML 2015, as the momentumnet
// library does): u and v held in fixed point (int64 multiples of 2^−fraction_bits) and γ as a
// ratio n/d, so that
//   v ← γ v        multiplies each integer by n/d, pushing the remainder it would discard into a
//                  per-element store (an arbitrary-precision integer) and popping what the product
//                  needs — a bijection on (v, store);
//   v ← v + q((1 − γ) f(u)),  u ← u + q(Δt v)   add values that are functions of what the other
//                  update keeps (q: round to the fixed-point grid), undone by subtracting them.
// Each step grows the store by −log₂ γ bits per element (0.15 at γ = 0.9) instead of the 64 a
// stored activation costs. γ = 0 (ResNet) is not invertible: v_n is not a function of the output.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace odenet {

/// An arbitrary-precision non-negative integer used as a stack of mixed-radix digits.
class BitStore {
 public:
  /// store ← store · radix + digit (digit < radix < 2³²).
  void push(uint32_t digit, uint32_t radix);
  /// digit ← store mod radix, store ← store div radix.
  uint32_t pop(uint32_t radix);
  /// The store's size in bits.
  int64_t bits() const;

 private:
  std::vector<uint32_t> limbs_;  ///< little-endian base 2³²
};

class ExactMomentum {
 public:
  using Field = std::function<std::vector<double>(const std::vector<double>&)>;
  /// γ in (0, 1), rounded to n / 2^16; Δt rounded nowhere (q(Δt v) is a function of v).
  ExactMomentum(double gamma, double dt, int fraction_bits = 40);
  /// One step forward on the fixed-point state (u, v); `stores` grows by one entry's worth each.
  void forward(std::vector<int64_t>& u, std::vector<int64_t>& v, const Field& f);
  /// One step backward: the exact inverse of forward.
  void inverse(std::vector<int64_t>& u, std::vector<int64_t>& v, const Field& f);
  std::vector<int64_t> quantize(const std::vector<double>& x) const;
  std::vector<double> value(const std::vector<int64_t>& x) const;
  /// Bits held by the stores now, over every element.
  int64_t store_bits() const;
  double gamma() const { return static_cast<double>(numerator_) / kDenominator; }

 private:
  static constexpr uint32_t kDenominator = 1u << 16;
  void multiply(std::vector<int64_t>& v, uint32_t n, uint32_t d);
  int64_t round_to_grid(double x) const;
  uint32_t numerator_;
  double dt_, scale_;
  std::vector<BitStore> stores_;
};

}  // namespace odenet
