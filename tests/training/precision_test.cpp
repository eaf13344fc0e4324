#include "training/precision.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <limits>

#include "core/error.h"
#include "core/sync_batch_norm.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(Precision, AutoIsFp32OnCpusWithoutNativeBf16AndFp16NeedsCuda) {
  const c10::Device cpu(c10::kCPU);
  EXPECT_EQ(resolve_precision(PrecisionRequest::kAuto, cpu), cpu_has_native_bf16() ? Precision::kBf16 : Precision::kFp32);
  EXPECT_EQ(resolve_precision(PrecisionRequest::kAuto, c10::Device(c10::kCUDA, 0)), Precision::kBf16);
  EXPECT_EQ(resolve_precision(PrecisionRequest::kBf16, cpu), Precision::kBf16);
  EXPECT_EQ(resolve_precision(PrecisionRequest::kFp32, cpu), Precision::kFp32);
  EXPECT_EQ(resolve_precision(PrecisionRequest::kFp16, c10::Device(c10::kCUDA, 0)), Precision::kFp16);
  EXPECT_THROW(resolve_precision(PrecisionRequest::kFp16, cpu), ConfigError);
  // Every spelling names one request, and an unknown one lists them.
  for (const auto& [name, request] : precision_request_names())
    EXPECT_EQ(parse_enum(precision_request_names(), name, "--precision"), request);
  EXPECT_EQ(test::error_message<ConfigError>([] { parse_enum(precision_request_names(), "bf61", "--precision"); }),
            "--precision: 'bf61' is not one of: auto, fp32, bf16, fp16; did you mean 'bf16'?");
}

// What "auto" picks on each kind of CPU, forced either way by ODENET_CPU_BF16 (as the suite's
// forced-bf16 variant does), and said in words.
TEST(Precision, AutoFollowsTheCpusBf16InstructionsOrTheirForcedVerdict) {
  const c10::Device cpu(c10::kCPU);
  {
    test::ScopedEnv unset("ODENET_CPU_BF16", nullptr);
    const std::string instructions = cpu_bf16_instructions();
    EXPECT_EQ(cpu_has_native_bf16(), !instructions.empty());
    EXPECT_EQ(auto_precision_reason(cpu), instructions.empty()
                                              ? "auto: fp32, this CPU has no native bf16 (no AVX512-BF16 or AMX-BF16)"
                                              : "auto: bf16, this CPU has " + instructions);
  }
  {
    test::ScopedEnv native("ODENET_CPU_BF16", "native");
    EXPECT_TRUE(cpu_has_native_bf16());
    EXPECT_EQ(resolve_precision(PrecisionRequest::kAuto, cpu), Precision::kBf16);
    EXPECT_EQ(auto_precision_reason(cpu), "auto: bf16, ODENET_CPU_BF16=native");
    EXPECT_EQ(resolve_precision(PrecisionRequest::kFp32, cpu), Precision::kFp32);  // only "auto" asks the CPU
  }
  {
    test::ScopedEnv emulated("ODENET_CPU_BF16", "emulated");
    EXPECT_EQ(resolve_precision(PrecisionRequest::kAuto, cpu), Precision::kFp32);
    EXPECT_EQ(auto_precision_reason(cpu), "auto: fp32, ODENET_CPU_BF16=emulated");
    EXPECT_EQ(auto_precision_reason(c10::Device(c10::kCUDA, 0)), "auto: bf16, a CUDA device");
  }
  test::ScopedEnv bad("ODENET_CPU_BF16", "yes");
  EXPECT_EQ(test::error_message<ConfigError>([&] { resolve_precision(PrecisionRequest::kAuto, cpu); }),
            "environment variable ODENET_CPU_BF16: 'yes' is not one of: native, emulated");
}

TEST(Precision, AutocastGuardLowersMatmulsInsideAndRestoresOutside) {
  torch::nn::Linear fc(4, 3);
  auto x = torch::randn({2, 4});
  {
    AutocastGuard guard(Precision::kBf16, c10::Device(c10::kCPU));
    EXPECT_EQ(fc(x).scalar_type(), torch::kBFloat16);
    EXPECT_EQ(fc->weight.scalar_type(), torch::kFloat32);  // master weights stay fp32
  }
  EXPECT_EQ(fc(x).scalar_type(), torch::kFloat32);
  {
    AutocastGuard guard(Precision::kFp32, c10::Device(c10::kCPU));
    EXPECT_EQ(fc(x).scalar_type(), torch::kFloat32);
  }
}

// #9: under bf16 autocast the convolution runs in bf16, but BatchNorm takes its output up to fp32:
// y = (x − μ)/√(σ² + ε)·γ + β and the running statistics in fp32, the same numbers as BatchNorm
// applied to the fp32 copy of the convolution's output, in training and in eval mode.
TEST(Precision, BatchNormUnderBf16AutocastComputesAndReturnsFp32) {
  torch::manual_seed(0);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 8, 3).padding(1).bias(false));
  auto make_bn = [] {
    torch::nn::BatchNorm2d bn(8);
    torch::NoGradGuard no_grad;
    bn->weight.copy_(torch::linspace(0.5, 1.5, 8));
    bn->bias.copy_(torch::linspace(-1, 1, 8));
    bn->running_mean.fill_(0.3);
    bn->running_var.fill_(2.0);
    return bn;
  };
  const auto x = torch::randn({16, 3, 10, 10}) * 3 + 1;
  for (bool training : {true, false}) {
    auto bn = make_bn(), reference = make_bn();
    bn->train(training);
    reference->train(training);
    torch::Tensor h, y;
    {
      AutocastGuard guard(Precision::kBf16, c10::Device(c10::kCPU));
      h = conv(x);
      y = batch_norm(bn, h);
    }
    ASSERT_EQ(h.scalar_type(), torch::kBFloat16);
    ASSERT_EQ(y.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::equal(y, reference->forward(h.to(torch::kFloat32)))) << "training " << training;
    EXPECT_TRUE(torch::equal(bn->running_mean, reference->running_mean));
    EXPECT_TRUE(torch::equal(bn->running_var, reference->running_var));
    y.square().sum().backward();
    EXPECT_EQ(bn->weight.grad().scalar_type(), torch::kFloat32);
  }
}

// The probe's verdict holds for another layer: the relative error of a channels-last bf16
// convolution's weight gradient (against fp32 on the same bf16-rounded numbers) on 64×8×24×24.
TEST(Precision, ChannelsLastBf16ProbeAgreesWithTheWeightGradientOfAnotherLayer) {
  const double error = cpu_bf16_conv_weight_gradient_error(at::MemoryFormat::ChannelsLast, 64, 8, 24, 1);
  if (cpu_channels_last_bf16_weight_gradients_accurate())
    EXPECT_LT(error, 0.05);
  else
    EXPECT_GT(error, 0.05);
  const double contiguous = cpu_bf16_conv_weight_gradient_error(at::MemoryFormat::Contiguous, 64, 8, 24, 1);
  EXPECT_LT(contiguous, 0.05) << "the fallback, contiguous bf16, must be accurate";
}

TEST(LossScaler, SkipsAStepOnInfHalvesTheScaleAndGrowsItBack) {
  LossScaler scaler(1024.0, /*growth_interval=*/3);
  auto w = torch::ones({2}, torch::requires_grad());
  auto set_grad = [&](float a, float b) { w.mutable_grad() = torch::tensor({a, b}); };

  set_grad(2048, 1024);  // a finite scaled gradient: unscaled in place
  EXPECT_TRUE(scaler.unscale({w}));
  EXPECT_TRUE(torch::allclose(w.grad(), torch::tensor({2.0f, 1.0f})));
  scaler.update(true);
  EXPECT_EQ(scaler.current_scale(), 1024.0);

  set_grad(std::numeric_limits<float>::infinity(), 1);
  EXPECT_FALSE(scaler.unscale({w}));  // skip this step
  scaler.update(false);
  EXPECT_EQ(scaler.current_scale(), 512.0);
  set_grad(std::numeric_limits<float>::quiet_NaN(), 1);
  EXPECT_FALSE(scaler.unscale({w}));
  scaler.update(false);
  EXPECT_EQ(scaler.current_scale(), 256.0);

  for (int i = 0; i < 3; ++i) {  // three clean steps in a row: the scale doubles once
    set_grad(1, 1);
    EXPECT_TRUE(scaler.unscale({w}));
    scaler.update(true);
  }
  EXPECT_EQ(scaler.current_scale(), 512.0);
  EXPECT_EQ(scaler.clean_steps(), 0);
  EXPECT_TRUE(torch::allclose(scaler.scale(torch::tensor(2.0f)), torch::tensor(1024.0f)));
}

}  // namespace
}  // namespace odenet
