// The memory estimate against what a run allocates: the model's bytes exactly, a training
// step's peak at a real batch within a tolerance of the extrapolation from batches 1 and 2.
#include "experiments/memory_estimate.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>

#include "architectures/presets.h"
#include "core/allocation_meter.h"
#include "core/error.h"
#include "tests/support/test_support.h"
#include "training/trainer.h"

namespace odenet {
namespace {

RunSpec tiny_run(const test::ScratchDir& dir, const nlohmann::json& model, long batch) {
  nlohmann::json e = nlohmann::json::parse(R"({
    "name": "mem", "dataset": {"name": "fashion_mnist", "root": "/nowhere"},
    "train": {"epochs": 1, "precision": "fp32", "optimizer": {"lr": 0.1}}})");
  e["model"] = model;
  e["train"]["batch_size"] = batch;
  e["train"]["eval_batch_size"] = batch;
  test::write_text(dir / "e.json", e.dump());
  return load_experiment(dir / "e.json").runs.at(0);
}

TEST(MemoryEstimate, TheModelExactlyAndAStepWithinAFifthOfWhatItAllocates) {
  test::ScratchDir dir;
  const RunSpec run = tiny_run(dir, {{"preset", "resnet20"}, {"depth", 8}}, 64);
  const RunInput input = declared_input(run);
  // The idx format reads its size from its files' headers: without them, the layout's native 32×32.
  EXPECT_EQ(input.shape, (std::array<int64_t, 3>{1, 32, 32}));
  test::write_idx_dataset(dir / "data", 8, 8, 12, 4);
  RunSpec with_files = run;
  with_files.dataset.root = dir / "data";
  EXPECT_EQ(declared_input(with_files).shape, (std::array<int64_t, 3>{1, 12, 12}));
  EXPECT_EQ(input.classes, 10);
  const MemoryEstimate e = estimate_run_memory(run, input, 1, 0);

  auto model = build_model(run.model, *run.model.scheme, 1, 10);
  EXPECT_GE(e.parameters, model_bytes(*model));  // parameters and buffers, and what a step keeps beside them
  EXPECT_LE(e.parameters, model_bytes(*model) + 4096);
  EXPECT_EQ(e.gradients, count_parameters(*model) * 4);
  EXPECT_EQ(e.optimizer_state, count_parameters(*model) * 4);  // momentum 0.9

  // A real step at batch 64 under the meter (gradients allocated by a first step, as the estimate does).
  to_channels_last(*model);
  model->train();
  auto step = [&](long batch) {
    auto x = torch::randn({batch, 1, 28, 28}).contiguous(at::MemoryFormat::ChannelsLast);
    torch::nn::functional::cross_entropy(model->forward(x), torch::randint(10, {batch}, torch::kLong)).backward();
  };
  step(1);
  AllocationMeter meter;
  step(64);
  const double measured = static_cast<double>(meter.peak());
  EXPECT_GT(measured, 0.8 * static_cast<double>(e.activations)) << e.describe();
  EXPECT_LT(measured, 1.2 * static_cast<double>(e.activations)) << e.describe();
  // Two ranks each take half the batch.
  EXPECT_EQ(estimate_run_memory(run, input, 2, 0).batch, 32);
}

TEST(MemoryEstimate, AModelPastTheLimitIsRefusedBeforeOrWhileItIsBuilt) {
  test::ScratchDir dir;
  // The issue's case, width 4096: its parameters extrapolated from widths 1-4 (exact: a quadratic
  // in the width), refused before anything big is allocated.
  const RunSpec run = tiny_run(dir, {{"preset", "resnet20"}, {"width", 4096}}, 128);
  auto model = build_model(tiny_run(dir, {{"preset", "resnet20"}, {"width", 64}}, 128).model, *run.model.scheme, 1, 10);
  const double at_64 = static_cast<double>(model_bytes(*model));
  const std::string message =
      test::error_message<ConfigError>([&] { estimate_run_memory(run, declared_input(run), 1, 128LL << 20); });
  const std::string about = "run s0: /model: about ";
  ASSERT_NE(message.find(about), std::string::npos) << message;
  const double gib = std::stod(message.substr(message.find(about) + about.size()));
  EXPECT_NEAR(gib, at_64 * 64 * 64 / (1LL << 30), 0.01 * gib) << message;  // (4096/64)² × the width-64 model
  EXPECT_NE(message.find(" GiB of parameters, and as much again for their gradients and for momentum; the limit is 128.0 MiB"),
            std::string::npos) << message;
  // Widths with no common scale (gcd 4): no extrapolation; the metered build stops at half the limit.
  const RunSpec uneven = tiny_run(dir, {{"preset", "resnet20"}, {"stage_widths", {16, 32, 4092}}}, 128);
  const std::string metered =
      test::error_message<ConfigError>([&] { estimate_run_memory(uneven, declared_input(uneven), 1, 128LL << 20); });
  EXPECT_NE(metered.find("run s0: /model: its parameters alone need more than 64.0 MiB, half of 128.0 MiB (the limit)"),
            std::string::npos) << metered;
  // A model that fits but whose step at its batch does not: the estimate is named.
  const RunSpec wide = tiny_run(dir, {{"preset", "resnet20"}, {"width", 64}}, 4096);
  const std::string too_big =
      test::error_message<ConfigError>([&] { check_run_memory(wide, declared_input(wide), 1, 1, 256LL << 20, "--memory-limit"); });
  EXPECT_NE(too_big.find(": run s0: needs about "), std::string::npos) << too_big;
  EXPECT_NE(too_big.find("activations at batch 4096"), std::string::npos) << too_big;
  EXPECT_NE(too_big.find("; --memory-limit is 256.0 MiB"), std::string::npos) << too_big;
}

}  // namespace
}  // namespace odenet
