#include "discretizations/lm_combination.h"

#include <gtest/gtest.h>
#include <torch/autograd.h>

namespace odenet {
namespace {

struct Case {
  torch::ScalarType dtype;
  bool per_channel, channels_last;
};

// Forward values and the gradients of u, u_{n−1}, g and w agree with the separate tensor ops.
void expect_matches_reference(const Case& c) {
  torch::manual_seed(3);
  auto make = [&] {
    auto t = torch::randn({3, 5, 4, 6}, torch::TensorOptions().dtype(c.dtype));
    if (c.channels_last) t = t.contiguous(at::MemoryFormat::ChannelsLast);
    return t.requires_grad_();
  };
  auto u = make(), prev = make(), g = make();
  auto w = torch::rand({c.per_channel ? 5 : 1}, torch::TensorOptions().dtype(c.dtype)).requires_grad_();
  auto upstream = torch::randn({3, 5, 4, 6}, torch::TensorOptions().dtype(c.dtype));

  auto fused = lm_combination(u, prev, g, w);
  auto grads = torch::autograd::grad({fused}, {u, prev, g, w}, {upstream});
  auto reference = lm_combination_reference(u, prev, g, w);
  auto expected = torch::autograd::grad({reference}, {u, prev, g, w}, {upstream});
  const double tol = c.dtype == torch::kFloat64 ? 1e-12 : 1e-5;
  EXPECT_TRUE(torch::allclose(fused, reference, tol, tol));
  if (c.channels_last) {
    EXPECT_TRUE(fused.is_contiguous(at::MemoryFormat::ChannelsLast));
  }
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(torch::allclose(grads[i], expected[i], tol, 10 * tol)) << "gradient " << i;
  // By hand: the per-channel weight's gradient is Σ upstream ⊙ (u − u_{n−1}) over all but dimension 1.
  auto by_hand = (upstream * (u - prev)).sum(c.per_channel ? std::vector<int64_t>{0, 2, 3} : std::vector<int64_t>{0, 1, 2, 3});
  EXPECT_TRUE(torch::allclose(grads[3].reshape(-1), by_hand.reshape(-1), tol, 10 * tol));
}

TEST(LmCombination, FusedLoopMatchesTheTensorOpsInEveryLayout) {
  for (auto dtype : {torch::kFloat64, torch::kFloat32})
    for (bool per_channel : {false, true})
      for (bool channels_last : {false, true}) {
        SCOPED_TRACE(testing::Message() << c10::toString(dtype) << " per_channel " << per_channel << " channels_last "
                                        << channels_last);
        expect_matches_reference({dtype, per_channel, channels_last});
      }
}

TEST(LmCombination, IsTheTwoStepUpdate) {
  auto u = torch::full({1, 2, 1, 1}, 3.0, torch::kFloat64), prev = torch::full({1, 2, 1, 1}, 1.0, torch::kFloat64);
  auto g = torch::full({1, 2, 1, 1}, 0.5, torch::kFloat64);
  auto out = lm_combination(u, prev, g, torch::tensor({0.25, 2.0}, torch::kFloat64));
  // 0.25·3 + 0.75·1 + 0.5 = 2;  2·3 − 1·1 + 0.5 = 5.5
  EXPECT_DOUBLE_EQ(out[0][0][0][0].item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(out[0][1][0][0].item<double>(), 5.5);
}

TEST(LmCombination, MixedPrecisionFallsBackToTensorOps) {
  auto u = torch::randn({2, 3, 2, 2}).to(torch::kBFloat16), prev = torch::randn({2, 3, 2, 2}).to(torch::kBFloat16);
  auto g = torch::randn({2, 3, 2, 2});  // fp32 branch output next to bf16 states
  auto w = torch::tensor({0.5f}, torch::requires_grad());
  auto out = lm_combination(u, prev, g, w);
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
  out.sum().backward();
  EXPECT_TRUE(w.grad().defined());
  EXPECT_EQ(w.grad().scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace odenet
