#include "discretizations/exact_momentum_cpu.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include "discretizations/exact_momentum.h"

namespace odenet::exact_cpu {
namespace {

constexpr int kBits = ExactMomentum::kDenominatorBits;
constexpr int64_t kD = ExactMomentum::kDenominator;
constexpr int64_t kGrain = 1 << 14;
constexpr uint64_t kLimbMask = (uint64_t{1} << 32) - 1;

// y rounded to the nearest integer, ties to even (std::nearbyint, which is a library call
// without SSE4.1): below 2⁵², adding and removing 2⁵² leaves no fraction bits; above, y is one.
inline double round_half_even(double y) {
  if (!(std::fabs(y) < 0x1p52)) return y;
  const double shift = std::copysign(0x1p52, y);
  return (y + shift) - shift;
}

// ⌊a / n⌋ and a mod n for |a| < 2⁶²: the quotient estimated in double (within a few units:
// a's rounding and the reciprocal's are small against n at these sizes) and corrected in
// integers — exact, without a 64-bit division.
inline int64_t floor_div(int64_t a, const StepNumbers& k, int64_t& remainder) {
  int64_t q = static_cast<int64_t>(static_cast<double>(a) * k.inverse_n);  // truncated: often one above
  remainder = a - q * k.n;
  const int64_t below = remainder < 0, above = remainder >= k.n;  // the usual one-unit fixes, without branches
  q += above - below;
  remainder += (k.n & -below) - (k.n & -above);
  while (remainder < 0) remainder += k.n, --q;  // rare: huge a
  while (remainder >= k.n) remainder -= k.n, ++q;
  return q;
}

// ⌊a / n⌋ for 0 ≤ a < 2⁴⁸: the double estimate is exact or one low (its error, below 2⁻⁵² a / n,
// is smaller than 1/n, the least distance of a non-integer quotient from the next integer).
inline int64_t small_div(int64_t a, const StepNumbers& k) {
  const auto q = static_cast<int64_t>(static_cast<double>(a) * k.inverse_n);
  return q + ((q + 1) * k.n <= a);
}

// How many r in [0, d) share ⌊r n / d⌋ with the r whose e = r n mod d is e₀ + (index) n, e₀ < n
// being the least such e: ⌈(d − e₀) / n⌉.
inline int64_t preimage_count(int64_t e0, const StepNumbers& k) { return small_div(kD - e0 + k.n - 1, k); }

// (1 − γ) f on the grid, before rounding: forward adds it rounded, undo_v subtracts the same.
inline double field_increment(double f, const StepNumbers& k) { return k.one_minus_gamma * f * k.scale; }

int64_t step_of_u(int64_t v, const StepNumbers& k) {
  return k.dt == 1.0 ? v : static_cast<int64_t>(round_half_even(static_cast<double>(v) * k.dt));
}

// Runs body(const scalar_t* f) with f's data as its own floating type.
template <typename Body>
void with_field_data(const torch::Tensor& f, const Body& body) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, f.scalar_type(), "exact momentum", [&] {
    body(f.data_ptr<scalar_t>());
  });
}

}  // namespace

double forward(int64_t* u, int64_t* v, const torch::Tensor& f, const std::vector<int64_t*>& limbs, int64_t count,
               const StepNumbers& k, bool& top_used) {
  std::mutex merge;
  double worst = 0;
  std::atomic<bool> used{false};
  with_field_data(f, [&](const auto* fp) {
    at::parallel_for(0, count, kGrain, [&](int64_t begin, int64_t end) {
      double local_worst = 0;
      bool local_used = false;
      for (int64_t i = begin; i < end; ++i) {
        // v = q d + r, r n = s d + e: ⌊γ v⌋ = q n + s. The r with the same s have
        // e = e₀, e₀ + n, …; r's index among them is ⌊e / n⌋.
        const int64_t q = v[i] >> kBits, rn = (v[i] & (kD - 1)) * k.n, s = rn >> kBits, e = rn & (kD - 1);
        const int64_t index = small_div(e, k), radix = preimage_count(e - index * k.n, k);
        if (radix > 1) {  // push the index
          uint64_t carry = static_cast<uint64_t>(index);
          for (int64_t* limb : limbs) {
            const uint64_t x = static_cast<uint64_t>(limb[i]) * static_cast<uint64_t>(radix) + carry;
            limb[i] = static_cast<int64_t>(x & kLimbMask);
            carry = x >> 32;
          }
          local_used |= limbs.back()[i] != 0;
        }
        const double added = field_increment(static_cast<double>(fp[i]), k);
        if (!(std::fabs(added) < k.limit)) local_worst = std::max(local_worst, std::isnan(added) ? INFINITY : std::fabs(added));
        const int64_t vi = q * k.n + s + static_cast<int64_t>(round_half_even(added));
        const int64_t ui = u[i] + step_of_u(vi, k);
        for (int64_t x : {ui, vi})
          if (!(std::fabs(static_cast<double>(x)) < k.limit)) local_worst = std::max(local_worst, std::fabs(static_cast<double>(x)));
        u[i] = ui, v[i] = vi;
      }
      if (local_used) used = true;
      if (local_worst > 0) {
        std::lock_guard<std::mutex> lock(merge);
        worst = std::max(worst, local_worst);
      }
    });
  });
  top_used = used;
  return worst / k.scale;
}

void values(const int64_t* x, torch::Tensor& out, int64_t count, double scale) {
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, out.scalar_type(), "exact momentum values", [&] {
    scalar_t* o = out.data_ptr<scalar_t>();
    at::parallel_for(0, count, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) o[i] = static_cast<scalar_t>(static_cast<double>(x[i]) / scale);
    });
  });
}

void undo_u(int64_t* u, const int64_t* v, int64_t count, const StepNumbers& k) {
  at::parallel_for(0, count, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) u[i] -= step_of_u(v[i], k);
  });
}

size_t undo_v(int64_t* v, const torch::Tensor& f, const std::vector<int64_t*>& limbs, int64_t count, const StepNumbers& k) {
  std::atomic<size_t> used{0};
  with_field_data(f, [&](const auto* fp) {
    at::parallel_for(0, count, kGrain, [&](int64_t begin, int64_t end) {
      size_t local_used = 0;
      for (int64_t i = begin; i < end; ++i) {
        const int64_t vi = v[i] - static_cast<int64_t>(round_half_even(field_increment(static_cast<double>(fp[i]), k)));
        // vi = q n + s; the r with ⌊r n / d⌋ = s start at first = ⌈s d / n⌉, whose e is e₀.
        int64_t s = 0;
        const int64_t q = floor_div(vi, k, s), sd = s * kD, below = small_div(sd, k), rest = sd - below * k.n;
        const int64_t first = below + (rest != 0), e0 = rest != 0 ? k.n - rest : 0, radix = preimage_count(e0, k);
        uint64_t index = 0;  // popped: long division of the store by radix, top limb first
        if (radix > 1)
          for (size_t l = limbs.size(); l-- > 0;) {
            const uint64_t x = (index << 32) | static_cast<uint64_t>(limbs[l][i]);
            limbs[l][i] = static_cast<int64_t>(x / static_cast<uint64_t>(radix));
            index = x % static_cast<uint64_t>(radix);
          }
        v[i] = q * kD + first + static_cast<int64_t>(index);
        size_t top = limbs.size();
        while (top > local_used && limbs[top - 1][i] == 0) --top;
        local_used = std::max(local_used, top);
      }
      for (size_t seen = used.load(); seen < local_used && !used.compare_exchange_weak(seen, local_used);) {
      }
    });
  });
  return used;
}

}  // namespace odenet::exact_cpu
