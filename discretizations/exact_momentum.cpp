#include "discretizations/exact_momentum.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "discretizations/exact_momentum_cpu.h"

namespace odenet {
namespace {

constexpr int64_t kLimbMask = (int64_t{1} << 32) - 1;

torch::Tensor floor_divide(const torch::Tensor& x, int64_t d) { return x.div(d, "floor"); }

}  // namespace

void BitStore::push(const torch::Tensor& digit, const torch::Tensor& radix) {
  torch::Tensor carry = digit;
  for (auto& limb : limbs_) {  // < 2³² · 2³⁰ + 2³⁰: no int64 overflow
    const torch::Tensor x = limb * radix + carry;
    limb = x.bitwise_and(kLimbMask);
    carry = torch::bitwise_right_shift(x, 32);
  }
  if (carry.ne(0).any().item<bool>()) limbs_.push_back(carry.expand_as(digit).clone());
}

torch::Tensor BitStore::pop(const torch::Tensor& radix, const torch::Tensor& like) {
  torch::Tensor remainder = torch::zeros(like.sizes(), like.options().dtype(torch::kInt64));
  for (auto limb = limbs_.rbegin(); limb != limbs_.rend(); ++limb) {  // long division, top limb first
    const torch::Tensor x = torch::bitwise_left_shift(remainder, 32).bitwise_or(*limb);
    *limb = x.div(radix, "floor");
    remainder = x - *limb * radix;
  }
  while (!limbs_.empty() && !limbs_.back().ne(0).any().item<bool>()) limbs_.pop_back();
  return remainder;
}

int64_t BitStore::bits() const {
  if (limbs_.empty()) return 0;
  torch::Tensor length = torch::zeros_like(limbs_.front());
  for (size_t k = 0; k < limbs_.size(); ++k) {
    torch::Tensor limb_length = torch::zeros_like(length);  // bit length of a value < 2³²
    for (int b = 0; b < 32; ++b) limb_length += torch::bitwise_right_shift(limbs_[k], b).ne(0).to(torch::kInt64);
    length = torch::where(limbs_[k].ne(0), limb_length + 32 * static_cast<int64_t>(k), length);
  }
  return length.sum().item<int64_t>();
}

std::vector<int64_t*> BitStore::open_for_push(const torch::Tensor& like) {
  if (!spare_.defined() || !spare_.sizes().equals(like.sizes()))
    spare_ = torch::zeros(like.sizes(), like.options().dtype(torch::kInt64));
  limbs_.push_back(std::move(spare_));
  spare_ = torch::Tensor();
  return data();
}

void BitStore::close_push(bool top_used) {
  if (top_used) return;
  spare_ = std::move(limbs_.back());  // still all zeros
  limbs_.pop_back();
}

std::vector<int64_t*> BitStore::data() {
  std::vector<int64_t*> pointers;
  for (auto& limb : limbs_) pointers.push_back(limb.data_ptr<int64_t>());
  return pointers;
}

void BitStore::keep(size_t count) {
  limbs_.resize(std::min(count, limbs_.size()));
  spare_ = torch::Tensor();
}

int64_t BitStore::bytes() const {
  int64_t total = 0;
  for (const auto& limb : limbs_) total += limb.numel() * limb.element_size();
  return total;
}

ExactMomentum::ExactMomentum(torch::ScalarType dtype, int fraction_bits, bool fused_cpu)
    : dtype_(dtype), fraction_bits_(fraction_bits), fused_cpu_(fused_cpu), scale_(std::ldexp(1.0, fraction_bits)) {}

int64_t ExactMomentum::numerator(double gamma) {
  const auto n = static_cast<int64_t>(std::nearbyint(gamma * kDenominator));  // ties to even, as torch.round
  if (!(n > 0 && n < kDenominator))
    throw std::invalid_argument(
        fmt::format("exact momentum: γ = {} must lie in (0, 1); γ = 0 (ResNet) is not invertible", gamma));
  return n;
}

double ExactMomentum::representable_gamma(double gamma) {
  return static_cast<double>(numerator(gamma)) / static_cast<double>(kDenominator);
}

torch::Tensor ExactMomentum::representable_gamma(const torch::Tensor& gamma) {
  return (gamma * static_cast<double>(kDenominator)).round() / static_cast<double>(kDenominator);
}

// ⌈s d / n⌉: the least r with ⌊r n / d⌋ = s (0 ≤ s ≤ n).
torch::Tensor ExactMomentum::first_preimage(const torch::Tensor& s, int64_t n) {
  return floor_divide(s * kDenominator + (n - 1), n);
}

// v ← ⌊γ v⌋ on the grid (γ = n / d: an error under one grid unit). With v = q d + r
// (0 ≤ r < d), ⌊γ v⌋ = q n + s, s = ⌊r n / d⌋; the ⌊1/γ⌋ or ⌈1/γ⌉ values of r with that s are
// told apart by r's index among them, pushed with their count as radix.
void ExactMomentum::scale_down(torch::Tensor& v, int64_t n) {
  const torch::Tensor q = floor_divide(v, kDenominator), r = v - q * kDenominator;
  const torch::Tensor s = floor_divide(r * n, kDenominator), first = first_preimage(s, n);
  store_.push(r - first, first_preimage(s + 1, n) - first);
  v = q * n + s;
}

// The inverse: v back from ⌊γ v⌋ and the index popped from the store.
void ExactMomentum::scale_up(torch::Tensor& v, int64_t n) {
  const torch::Tensor q = floor_divide(v, n), s = v - q * n, first = first_preimage(s, n);
  v = q * kDenominator + first + store_.pop(first_preimage(s + 1, n) - first, v);
}

// |x| < 2^(61 − fraction bits) for x on the grid (int64, or float64 scaled onto it); NaN fails too.
void ExactMomentum::check_range(const torch::Tensor& fixed) const {
  const double largest = fixed.abs().max().item<double>() / scale_;
  if (!(largest < std::ldexp(1.0, 61 - fraction_bits_))) out_of_range(largest);
}

void ExactMomentum::out_of_range(double largest) const {
  throw Error(fmt::format("exact momentum reversal: a value of {:g} is outside the fixed-point range ±2^{} ({} fraction bits)",
                          std::fabs(largest), 61 - fraction_bits_, fraction_bits_));  // NaN without a sign
}

torch::Tensor ExactMomentum::quantize(const torch::Tensor& x) const {
  const torch::Tensor scaled = x.to(torch::kFloat64) * scale_;
  check_range(scaled);  // also NaN
  return scaled.round().to(torch::kInt64).contiguous();
}

torch::Tensor ExactMomentum::value(const torch::Tensor& x) const {
  if (!fused(x) || !x.is_contiguous()) return (x.to(torch::kFloat64) / scale_).to(dtype_);
  torch::Tensor out = torch::empty(x.sizes(), x.options().dtype(dtype_));
  exact_cpu::values(x.data_ptr<int64_t>(), out, x.numel(), scale_);
  return out;
}

// q(Δt v): v itself when Δt = 1 (no rounding), else Δt v rounded to the grid.
torch::Tensor ExactMomentum::step_of_u(const torch::Tensor& v, double dt) const {
  return dt == 1.0 ? v : (v.to(torch::kFloat64) * dt).round().to(torch::kInt64);
}

void ExactMomentum::forward(torch::Tensor& u, torch::Tensor& v, const Field& f, double gamma, double dt) {
  const int64_t n = numerator(gamma);
  if (fused(u)) return forward_fused(u, v, f(value(u)), n, dt);
  const double g = static_cast<double>(n) / static_cast<double>(kDenominator);
  scale_down(v, n);  // v ← γ v
  v = v + quantize((1 - g) * f(value(u)).to(torch::kFloat64));
  u = u + step_of_u(v, dt);
  check_range(u), check_range(v);  // each addend is in range, so a sum out of it has not wrapped yet
}

void ExactMomentum::inverse(torch::Tensor& u, torch::Tensor& v, const Field& f, double gamma, double dt) {
  const int64_t n = numerator(gamma);
  if (fused(u)) return inverse_fused(u, v, f, n, dt);
  const double g = static_cast<double>(n) / static_cast<double>(kDenominator);
  u = u - step_of_u(v, dt);
  v = v - quantize((1 - g) * f(value(u)).to(torch::kFloat64));
  scale_up(v, n);  // v ← v / γ
}

namespace {
exact_cpu::StepNumbers step_numbers(int64_t n, double dt, double scale) {
  return {n, 1 / static_cast<double>(n), 1 - static_cast<double>(n) / static_cast<double>(ExactMomentum::kDenominator), dt, scale,
          std::ldexp(1.0, 61)};
}
}  // namespace

void ExactMomentum::forward_fused(torch::Tensor& u, torch::Tensor& v, const torch::Tensor& f, int64_t n, double dt) {
  const torch::Tensor field = f.contiguous();
  TORCH_CHECK(u.is_contiguous() && v.is_contiguous() && field.numel() == v.numel(), "exact momentum: state and field disagree");
  bool top_used = false;
  const double worst = exact_cpu::forward(u.data_ptr<int64_t>(), v.data_ptr<int64_t>(), field, store_.open_for_push(v), v.numel(),
                                          step_numbers(n, dt, scale_), top_used);
  store_.close_push(top_used);
  if (worst > 0) out_of_range(worst);
}

void ExactMomentum::inverse_fused(torch::Tensor& u, torch::Tensor& v, const Field& f, int64_t n, double dt) {
  const auto numbers = step_numbers(n, dt, scale_);
  exact_cpu::undo_u(u.data_ptr<int64_t>(), v.data_ptr<int64_t>(), u.numel(), numbers);
  const torch::Tensor field = f(value(u)).contiguous();
  store_.keep(exact_cpu::undo_v(v.data_ptr<int64_t>(), field, store_.data(), v.numel(), numbers));
}

}  // namespace odenet
