// Every preset builds and maps a small batch to (batch, classes), in evaluation and in
// training mode (drop-path, shake and stochastic depth draw; BatchNorm uses the batch):
// CIFAR layouts at 3×32×32 and at Fashion-MNIST's 1×28×28, ImageNet layouts at a reduced
// 3×64×64. Finite logits are checked in training mode only: at initialisation BatchNorm's
// running statistics are (0, 1), and through 1000+ residual steps the evaluation-mode sum
// overflows float32, as the untrained network's would anywhere. RevNet's residual steps
// invert exactly inside the built network.
#include <gtest/gtest.h>

#include "architectures/cifar_resnet.h"
#include "architectures/presets.h"

namespace odenet {
namespace {

class EveryPreset : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPreset, ForwardGivesOneRowOfLogitsPerImage) {
  const auto options = preset_options(GetParam());
  auto scheme = build_scheme(scheme_registry(), options.scheme, "-", "");
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  const int64_t classes = native_classes(options);
  auto check = [&](ClassifierImpl& model, int64_t channels, int64_t side, int64_t outputs) {
    auto x = torch::randn({2, channels, side, side});
    model.eval();
    EXPECT_EQ(model.forward(x).sizes(), (std::vector<int64_t>{2, outputs})) << channels << "x" << side << " eval";
    model.train();
    auto logits = model.forward(x);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, outputs})) << channels << "x" << side << " train";
    EXPECT_TRUE(torch::isfinite(logits).all().item<bool>()) << channels << "x" << side << " train";
  };
  check(*build_model(options, *scheme, 3, classes), 3, native_input_size(options) == 224 ? 64 : 32, classes);
  if (native_input_size(options) == 32) check(*build_model(options, *scheme, 1, 10), 1, 28, 10);
}

INSTANTIATE_TEST_SUITE_P(Zoo, EveryPreset, ::testing::ValuesIn(preset_registry().names()),
                         [](const auto& info) { return info.param; });

TEST(RevNetPreset, StepsAfterTheTransitionInvertExactly) {
  auto options = preset_options("revnet38");
  auto scheme = build_scheme(scheme_registry(), options.scheme, "-", "");
  auto model = std::dynamic_pointer_cast<CifarResNetImpl>(build_model(options, *scheme, 3, 10));
  ASSERT_NE(model, nullptr);
  model->to(torch::kFloat64);
  model->eval();
  torch::NoGradGuard no_grad;
  auto& steps = model->stages()[1]->steps();  // stage 2: a transition, then two reversible steps
  ASSERT_EQ(steps.size(), 3u);
  State state{torch::randn({2, 64, 16, 16}, torch::kFloat64), {}, {}};
  auto after = steps[2]->forward(steps[1]->forward(state));
  auto back = steps[1]->inverse(steps[2]->inverse(after));
  EXPECT_LE((back.u - state.u).abs().max().item<double>(), 1e-12);
  EXPECT_THROW(steps[0]->inverse(state), Error);
}

}  // namespace
}  // namespace odenet
