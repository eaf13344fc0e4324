#include "core/trainer.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>

#include "core/error.h"
#include "data/loader.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

// A linear classifier with a BatchNorm and a scalar "k", for the trainer's bookkeeping.
class TinyImpl : public ClassifierImpl {
 public:
  explicit TinyImpl(bool poison = false) : poison_(poison) {
    bn = register_module("bn", torch::nn::BatchNorm1d(4));
    fc = register_module("fc", torch::nn::Linear(4, 2));
    k = register_parameter("k", torch::zeros({1}));
  }
  torch::Tensor forward(torch::Tensor x) override {
    auto logits = fc(bn(x.flatten(1))) + k;
    return poison_ ? logits * std::numeric_limits<float>::quiet_NaN() : logits;
  }
  torch::nn::BatchNorm1d bn{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::Tensor k;

 private:
  bool poison_;
};

DatasetSplits tiny_data() {
  torch::manual_seed(0);
  auto images = torch::randint(0, 255, {40, 1, 2, 2}).to(torch::kUInt8);
  auto labels = (images.flatten(1).to(torch::kFloat).mean(1) > 127).to(torch::kInt64);
  Dataset d{images, labels, {"0", "1"}};
  return {d, d};
}

TrainOptions tiny_options() {
  TrainOptions o;
  o.epochs = 2;
  o.batch_size = 8;
  o.channels_last = false;
  o.label = "tiny";
  return o;
}

// The tiny data set behind the loaders a trainer reads.
struct TinySources {
  explicit TinySources(uint64_t seed = 0)
      : data(tiny_data()),
        train(data.train, LoaderOptions{8, true, seed, AugmentOptions{0, false, {0.5}, {0.25}, false}}),
        test(data.test, LoaderOptions{16, false, seed, AugmentOptions{0, false, {0.5}, {0.25}, false}}) {}
  DatasetSplits data;
  Loader train, test;
};

TEST(Trainer, DecayGroupsFollowTheExcludedCategories) {
  TinyImpl model;
  auto [decayed, plain] = decay_groups(model, {"bn", "k"});
  EXPECT_EQ(decayed.size(), 2u);  // fc weight and bias
  EXPECT_EQ(plain.size(), 3u);    // bn weight, bn bias, k
  std::tie(decayed, plain) = decay_groups(model, {"bias"});
  EXPECT_EQ(decayed.size(), 3u);  // bn weight, fc weight, k
  EXPECT_EQ(plain.size(), 2u);
}

TEST(Trainer, NanLossIsAnErrorNamingEpochAndStep) {
  TinySources data;
  auto options = tiny_options();
  options.check_interval = 0;  // read back after every step: the error names the step
  Trainer trainer(std::make_shared<TinyImpl>(true), data.train, data.test, options);
  try {
    trainer.train([](const EpochMetrics&) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("tiny: loss is nan at epoch 1 step 1 (lr 0.1)", 0), 0u) << e.what();
  }
}

TEST(Trainer, NanLossWithoutPerStepReadsNamesTheStepRange) {
  TinySources data;
  auto options = tiny_options();
  options.check_interval = 1e9;  // read back at the end of the epoch only
  Trainer trainer(std::make_shared<TinyImpl>(true), data.train, data.test, options);
  try {
    trainer.train([](const EpochMetrics&) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("tiny: loss is nan at epoch 1 steps 1-5 (lr 0.1)", 0), 0u) << e.what();
  }
  EXPECT_EQ(trainer.completed_epochs(), 0);
}

TEST(Trainer, CheckpointRoundTripContinuesIdentically) {
  TinySources data;
  test::ScratchDir dir;
  auto options = tiny_options();
  torch::manual_seed(1);
  auto straight_model = std::make_shared<TinyImpl>();
  Trainer straight(straight_model, data.train, data.test, options);
  std::vector<EpochMetrics> a;
  straight.train([&](const EpochMetrics& m) { a.push_back(m); });

  torch::manual_seed(1);
  options.epochs = 1;
  Trainer first(std::make_shared<TinyImpl>(), data.train, data.test, options);
  first.train([](const EpochMetrics&) {});
  first.save_checkpoint(dir / "c.pt");
  options.epochs = 2;
  auto resumed_model = std::make_shared<TinyImpl>();
  Trainer resumed(resumed_model, data.train, data.test, options);
  resumed.load_checkpoint(dir / "c.pt");
  EXPECT_EQ(resumed.completed_epochs(), 1);
  std::vector<EpochMetrics> b;
  resumed.train([&](const EpochMetrics& m) { b.push_back(m); });
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].train_loss, a[1].train_loss);
  EXPECT_EQ(b[0].test_loss, a[1].test_loss);
  EXPECT_TRUE(torch::equal(resumed_model->fc->weight, straight_model->fc->weight));
  EXPECT_THROW(resumed.load_checkpoint(dir / "missing.pt"), Error);
}

TEST(Trainer, LearnsASeparableProblem) {
  TinySources data;
  auto options = tiny_options();
  options.epochs = 30;
  options.optimizer.weight_decay = 0;
  Trainer trainer(std::make_shared<TinyImpl>(), data.train, data.test, options);
  double first = -1, last = -1;
  trainer.train([&](const EpochMetrics& m) {
    if (first < 0) first = m.train_loss;
    last = m.train_loss;
  });
  EXPECT_LT(last, 0.5 * first);
}

TEST(Trainer, Bf16AutocastTrainsAndKeepsFp32MasterWeights) {
  TinySources data;
  auto options = tiny_options();
  options.epochs = 30;
  options.optimizer.weight_decay = 0;
  options.precision = Precision::kBf16;
  auto model = std::make_shared<TinyImpl>();
  Trainer trainer(model, data.train, data.test, options);
  double first = -1, last = -1;
  trainer.train([&](const EpochMetrics& m) {
    if (first < 0) first = m.train_loss;
    last = m.train_loss;
  });
  EXPECT_LT(last, 0.5 * first);
  for (const auto& p : model->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
}

TEST(Trainer, MeasuresThroughputWithItsOwnStep) {
  TinySources data;
  Trainer trainer(std::make_shared<TinyImpl>(), data.train, data.test, tiny_options());
  double rate = trainer.measure_throughput(12, 2);  // crosses pass boundaries (5 batches per pass)
  EXPECT_GT(rate, 0);
  EXPECT_EQ(trainer.completed_epochs(), 0);
}

}  // namespace
}  // namespace odenet
