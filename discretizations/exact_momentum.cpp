#include "discretizations/exact_momentum.h"

#include <cmath>
#include <stdexcept>

namespace odenet {

void BitStore::push(uint32_t digit, uint32_t radix) {
  uint64_t carry = digit;
  for (auto& limb : limbs_) {
    const uint64_t x = static_cast<uint64_t>(limb) * radix + carry;
    limb = static_cast<uint32_t>(x);
    carry = x >> 32;
  }
  if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
}

uint32_t BitStore::pop(uint32_t radix) {
  uint64_t remainder = 0;
  for (auto limb = limbs_.rbegin(); limb != limbs_.rend(); ++limb) {
    const uint64_t x = (remainder << 32) | *limb;
    *limb = static_cast<uint32_t>(x / radix);
    remainder = x % radix;
  }
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  return static_cast<uint32_t>(remainder);
}

int64_t BitStore::bits() const {
  if (limbs_.empty()) return 0;
  int64_t top = 0;
  for (uint32_t x = limbs_.back(); x; x >>= 1) ++top;
  return 32 * static_cast<int64_t>(limbs_.size() - 1) + top;
}

ExactMomentum::ExactMomentum(double gamma, double dt, int fraction_bits)
    : numerator_(static_cast<uint32_t>(std::lround(gamma * kDenominator))), dt_(dt), scale_(std::ldexp(1.0, fraction_bits)) {
  if (numerator_ == 0 || numerator_ >= kDenominator)
    throw std::invalid_argument("exact momentum: γ must lie in (0, 1); γ = 0 (ResNet) is not invertible");
}

// v ← v · n / d for integers, exactly reversibly: with v = q d + r (floor division, 0 ≤ r < d),
// the discarded r goes to the store and the product q n + t takes its low digit t < n from it.
void ExactMomentum::multiply(std::vector<int64_t>& v, uint32_t n, uint32_t d) {
  for (size_t i = 0; i < v.size(); ++i) {
    int64_t q = v[i] / static_cast<int64_t>(d), r = v[i] % static_cast<int64_t>(d);
    if (r < 0) r += d, --q;
    stores_[i].push(static_cast<uint32_t>(r), d);
    v[i] = q * static_cast<int64_t>(n) + stores_[i].pop(n);
  }
}

int64_t ExactMomentum::round_to_grid(double x) const { return static_cast<int64_t>(std::llround(x * scale_)); }

std::vector<int64_t> ExactMomentum::quantize(const std::vector<double>& x) const {
  std::vector<int64_t> out;
  for (double e : x) out.push_back(round_to_grid(e));
  return out;
}

std::vector<double> ExactMomentum::value(const std::vector<int64_t>& x) const {
  std::vector<double> out;
  for (int64_t e : x) out.push_back(static_cast<double>(e) / scale_);
  return out;
}

void ExactMomentum::forward(std::vector<int64_t>& u, std::vector<int64_t>& v, const Field& f) {
  if (stores_.size() != v.size()) stores_.resize(v.size());
  multiply(v, numerator_, kDenominator);  // v ← γ v
  const std::vector<double> fu = f(value(u));
  for (size_t i = 0; i < v.size(); ++i) v[i] += round_to_grid((1 - gamma()) * fu[i]);
  for (size_t i = 0; i < u.size(); ++i) u[i] += round_to_grid(dt_ * static_cast<double>(v[i]) / scale_);
}

void ExactMomentum::inverse(std::vector<int64_t>& u, std::vector<int64_t>& v, const Field& f) {
  for (size_t i = 0; i < u.size(); ++i) u[i] -= round_to_grid(dt_ * static_cast<double>(v[i]) / scale_);
  const std::vector<double> fu = f(value(u));
  for (size_t i = 0; i < v.size(); ++i) v[i] -= round_to_grid((1 - gamma()) * fu[i]);
  multiply(v, kDenominator, numerator_);  // v ← v / γ: the same bijection run backwards
}

int64_t ExactMomentum::store_bits() const {
  int64_t total = 0;
  for (const auto& s : stores_) total += s.bits();
  return total;
}

}  // namespace odenet
