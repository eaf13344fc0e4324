// The antisymmetric field's linear part is K − K* − γI (K* the convolution's adjoint), so its
// quadratic form is −γ‖u‖²; the Hamiltonian field −Kᵀσ(BN(K·)) uses the adjoint of its K, sharing weights;
// the Hamiltonian scheme negates its first field in the network and inverts exactly.
#include <gtest/gtest.h>
#include <torch/nn/functional/conv.h>

#include "architectures/field_registry.h"
#include "architectures/structured_fields.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

namespace F = torch::nn::functional;

TEST(AntisymmetricField, ItsLinearPartIsSkewMinusDamping) {
  torch::manual_seed(0);
  AntisymmetricFieldImpl field(6, 0.25);
  field.to(torch::kFloat64);
  const auto kernel = field.antisymmetric_kernel();
  for (int trial = 0; trial < 3; ++trial) {
    const auto u = torch::randn({2, 6, 7, 5}, torch::kFloat64), v = torch::randn({2, 6, 7, 5}, torch::kFloat64);
    const auto ku = F::conv2d(u, kernel, F::Conv2dFuncOptions().padding(1));
    const auto kv = F::conv2d(v, kernel, F::Conv2dFuncOptions().padding(1));
    EXPECT_NEAR((u * ku).sum().item<double>(), 0.0, 1e-10) << "⟨u, (K − K*) u⟩ = 0";
    EXPECT_NEAR((v * ku).sum().item<double>(), -(u * kv).sum().item<double>(), 1e-10) << "(K − K*)* = −(K − K*)";
    // The damped linear part's quadratic form: ⟨u, (K − K* − γI) u⟩ = −γ ‖u‖² (real parts of its spectrum −γ).
    EXPECT_NEAR((u * (ku - 0.25 * u)).sum().item<double>(), -0.25 * (u * u).sum().item<double>(), 1e-9);
  }
  const auto u = torch::randn({1, 6, 4, 4}, torch::kFloat64);
  const auto expected = torch::tanh(F::conv2d(u, kernel, F::Conv2dFuncOptions().padding(1)) - 0.25 * u);  // bias 0
  EXPECT_LE((field.forward(u) - expected).abs().max().item<double>(), 1e-12);
}

TEST(HamiltonianField, TheTransposedConvolutionIsTheAdjointAndSharesTheWeights) {
  torch::manual_seed(1);
  auto module = std::make_shared<HamiltonianFieldImpl>(4);
  HamiltonianFieldImpl& field = *module;
  field.to(torch::kFloat64);
  const auto& k = field.kernel();
  const auto z = torch::randn({2, 4, 6, 6}, torch::kFloat64), w = torch::randn({2, 4, 6, 6}, torch::kFloat64);
  const auto kz = F::conv2d(z, k, F::Conv2dFuncOptions().padding(1));
  const auto kt_w = F::conv_transpose2d(w, k, F::ConvTranspose2dFuncOptions().padding(1));
  EXPECT_NEAR((kz * w).sum().item<double>(), (z * kt_w).sum().item<double>(), 1e-9) << "⟨K z, w⟩ = ⟨z, Kᵀ w⟩";
  int64_t count = 0;
  for (const auto& p : field.parameters()) count += p.numel();
  EXPECT_EQ(count, 4 * 4 * 9 + 4 + 2 * 4) << "one kernel (K and Kᵀ), its bias, BatchNorm's scale and shift";
  field.eval();
  const auto expected = -F::conv_transpose2d(
      torch::relu(field.named_modules()["bn"]->as<torch::nn::BatchNorm2d>()->forward(F::conv2d(z, k, F::Conv2dFuncOptions().padding(1)))),
      k, F::ConvTranspose2dFuncOptions().padding(1));  // bias 0
  EXPECT_LE((field.forward(z) - expected).abs().max().item<double>(), 1e-12) << "f(z) = −Kᵀ σ(BN(K z + b))";
}

TEST(HamiltonianScheme, NegatesTheFirstFieldInTheNetworkAndInvertsExactly) {
  using namespace test;
  auto step = block({{"name", "hamiltonian"}});
  const auto u = input();
  const auto y = u.narrow(1, 0, kChannels / 2), z = u.narrow(1, kChannels / 2, kChannels / 2);
  const auto y_next = y - child(*step, "F").forward(z);
  const auto z_next = z + child(*step, "G").forward(y_next);
  const auto next = step->forward(State{u, {}, {}}).u;
  EXPECT_LE(max_difference(next, torch::cat({y_next, z_next}, 1)), 1e-6);
  EXPECT_LE(max_difference(step->inverse(State{next, {}, {}}).u, u), 1e-5);
}

TEST(StructuredFields, AreRegisteredAndFallBackToAConvUnitAtTransitions) {
  ModelOptions model;
  for (const char* name : {"antisymmetric", "hamiltonian"}) {
    const FieldEntry& entry = field_registry().get(name);
    FieldShape same{8, 8, 1};
    EXPECT_EQ(entry.build(same, model)->forward(torch::randn({2, 8, 5, 5})).sizes(), (std::vector<int64_t>{2, 8, 5, 5}));
    FieldShape transition{8, 16, 2};
    EXPECT_EQ(entry.build(transition, model)->forward(torch::randn({2, 8, 6, 6})).sizes(), (std::vector<int64_t>{2, 16, 3, 3}));
  }
}

}  // namespace
}  // namespace odenet
