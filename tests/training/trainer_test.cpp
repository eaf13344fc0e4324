#include "training/trainer.h"

#include <chrono>

#include <gtest/gtest.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>

#include "core/coefficient_owner.h"
#include "core/error.h"
#include "data/loader.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

// A linear classifier with a BatchNorm and a scalar "k", for the trainer's bookkeeping.
class TinyImpl : public ClassifierImpl, public CoefficientOwner {
 public:
  explicit TinyImpl(bool poison = false, double blow_up = 1.0) : poison_(poison), blow_up_(blow_up) {
    bn = register_module("bn", torch::nn::BatchNorm1d(4));
    fc = register_module("fc", torch::nn::Linear(4, 2));
    k = register_parameter("k", torch::zeros({1}));
  }
  std::vector<torch::Tensor> coefficient_parameters() const override { return {k}; }
  torch::Tensor forward(torch::Tensor x) override {
    auto logits = (fc(bn(x.flatten(1))) + k) * blow_up_;
    return poison_ ? logits * std::numeric_limits<float>::quiet_NaN() : logits;
  }
  torch::nn::BatchNorm1d bn{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::Tensor k;

 private:
  bool poison_;
  double blow_up_;
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

// An uninterrupted run from manual_seed(1): its model and its metrics, to compare a resumed run with.
std::pair<std::shared_ptr<TinyImpl>, std::vector<EpochMetrics>> train_straight(TinySources& data,
                                                                              const TrainOptions& options) {
  torch::manual_seed(1);
  auto model = std::make_shared<TinyImpl>();
  Trainer straight(model, data.train, data.test, options);
  std::vector<EpochMetrics> metrics;
  straight.train([&](const EpochMetrics& m) { metrics.push_back(m); });
  return {model, metrics};
}

TEST(Trainer, DecayGroupsFollowTheExcludedCategories) {
  TinyImpl model;
  auto [decayed, plain] = decay_groups(model, {DecayExclusion::kBatchNorm, DecayExclusion::kCoefficients});
  EXPECT_EQ(decayed.size(), 2u);  // fc weight and bias
  EXPECT_EQ(plain.size(), 3u);    // bn weight, bn bias, k
  std::tie(decayed, plain) = decay_groups(model, {DecayExclusion::kBias});
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
  auto [straight_model, a] = train_straight(data, options);

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

TEST(Trainer, RefusesAnotherRunsCheckpoint) {
  TinySources data;
  test::ScratchDir dir;
  auto options = tiny_options();
  options.epochs = 1;
  options.identity = {{"config_hash", "aaaa"}, {"seed", 0}};
  Trainer writer(std::make_shared<TinyImpl>(), data.train, data.test, options);
  writer.train([](const EpochMetrics&) {});
  writer.save_checkpoint(dir / "c.pt");
  options.identity = {{"config_hash", "bbbb"}, {"seed", 0}};
  Trainer reader(std::make_shared<TinyImpl>(), data.train, data.test, options);
  try {
    reader.load_checkpoint(dir / "c.pt");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "c.pt: checkpoint of another run (config_hash \"aaaa\" where this run has \"bbbb\")");
  }
  options.identity = {{"config_hash", "aaaa"}, {"seed", 0}};
  Trainer same(std::make_shared<TinyImpl>(), data.train, data.test, options);
  same.load_checkpoint(dir / "c.pt");
  EXPECT_EQ(same.completed_epochs(), 1);
}

// Logits that rank the classes 0 > 1 > ... > 7 for every image (a bias, trained at a negligible
// rate): an image of class c is top-1 correct when c = 0 and top-5 correct when c < 5.
class RankingImpl : public ClassifierImpl {
 public:
  RankingImpl() { bias = register_parameter("bias", torch::arange(7, -1, -1, torch::kFloat32)); }
  torch::Tensor forward(torch::Tensor x) override { return bias.unsqueeze(0).expand({x.size(0), 8}) + 0 * x.sum(); }
  torch::Tensor bias;
};

// One epoch of RankingImpl on 40 blank images, five of each of 8 classes (labels i mod 8), at a
// rate too small to change the ranking.
std::vector<EpochMetrics> one_ranking_epoch(double label_smoothing = 0) {
  const Dataset d{torch::zeros({40, 1, 2, 2}, torch::kUInt8), torch::arange(40, torch::kInt64).remainder(8),
                  {"0", "1", "2", "3", "4", "5", "6", "7"}};
  Loader train(d, LoaderOptions{8, true, 0, AugmentOptions{0, false, {0.5}, {0.25}, false}});
  Loader test(d, LoaderOptions{16, false, 0, AugmentOptions{0, false, {0.5}, {0.25}, false}});
  auto options = tiny_options();
  options.epochs = 1;
  options.optimizer.lr = 1e-9;
  options.optimizer.momentum = 0;
  options.optimizer.weight_decay = 0;
  options.label_smoothing = label_smoothing;
  std::vector<EpochMetrics> metrics;
  Trainer(std::make_shared<RankingImpl>(), train, test, options).train([&](const EpochMetrics& m) { metrics.push_back(m); });
  return metrics;
}

TEST(Trainer, TopFiveErrorCountsLabelsAmongTheFiveLargestLogits) {
  const std::vector<EpochMetrics> metrics = one_ranking_epoch();
  auto options = tiny_options();
  options.epochs = 1;
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_DOUBLE_EQ(metrics[0].test_error, 87.5);  // 35 of 40 not class 0
  ASSERT_TRUE(metrics[0].test_top5_error.has_value());
  EXPECT_DOUBLE_EQ(*metrics[0].test_top5_error, 37.5);  // 15 of 40 in classes 5-7
  const EpochMetrics back = epoch_metrics_from_json(nlohmann::json::parse(to_json(metrics[0]).dump()));  // as metrics.jsonl holds it
  EXPECT_EQ(back.test_top5_error, metrics[0].test_top5_error);
  // Two classes: no top-5, and none in metrics.jsonl.
  TinySources two;
  std::vector<EpochMetrics> binary;
  Trainer(std::make_shared<TinyImpl>(), two.train, two.test, options).train([&](const EpochMetrics& m) { binary.push_back(m); });
  EXPECT_FALSE(binary.at(0).test_top5_error.has_value());
  EXPECT_FALSE(to_json(binary[0]).contains("test_top5_error"));
}

// Label smoothing ε: the training loss is (1 − ε) (−log p_y) + ε mean_j (−log p_j) (the
// target's ε spread over the classes), the test loss plain cross-entropy.
TEST(Trainer, LabelSmoothingSpreadsTheTargetOverTheClasses) {
  const std::vector<EpochMetrics> metrics = one_ranking_epoch(0.2);
  const auto labels = torch::arange(40, torch::kInt64).remainder(8);
  const auto log_p = torch::log_softmax(torch::arange(7, -1, -1, torch::kFloat64), 0);
  double smoothed = 0, plain = 0;
  for (int64_t i = 0; i < 40; ++i) {
    const double nll = -log_p[labels[i].item<int64_t>()].item<double>();
    smoothed += 0.8 * nll + 0.2 * (-log_p.mean().item<double>());
    plain += nll;
  }
  EXPECT_NEAR(metrics.at(0).train_loss, smoothed / 40, 1e-5);
  EXPECT_NEAR(metrics.at(0).test_loss, plain / 40, 1e-5);
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

TEST(Trainer, TimesThePhasesOfEachTimedStepOnlyWhenAsked) {
  TinySources data;
  Trainer trainer(std::make_shared<TinyImpl>(), data.train, data.test, tiny_options());
  StepPhases phases;
  const auto start = std::chrono::steady_clock::now();
  trainer.measure_throughput(6, 2, &phases);  // the 2 warm-up steps are not timed
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(phases.steps.size(), 6u);
  double total = 0;
  for (const auto& step : phases.steps) {
    EXPECT_GT(step[0], 0);  // forward
    EXPECT_GT(step[1], 0);  // backward
    for (double seconds : step) EXPECT_GE(seconds, 0), total += seconds;
  }
  EXPECT_LE(total, wall);  // phases of disjoint stretches of the timed steps
  trainer.measure_throughput(3, 0);
  EXPECT_EQ(phases.steps.size(), 6u);
}

TEST(Trainer, NonFiniteMetricsRoundTripThroughMetricsFiles) {
  test::ScratchDir dir;
  EpochMetrics m;
  m.epoch = 3;
  m.train_loss = std::numeric_limits<double>::quiet_NaN();
  m.test_loss = std::numeric_limits<double>::infinity();
  m.lr = -std::numeric_limits<double>::infinity();
  m.test_error = 12.5;
  test::write_text(dir / "metrics.jsonl", to_json(m).dump() + "\n" + R"({"epoch": 4, "lr": 0.1, "train_loss": null, )"
                                          R"("train_error": 1, "test_loss": 1, "test_error": 1, "train_seconds": 1, )"
                                          R"("epoch_seconds": 1, "images_per_second": 1})" "\n");
  auto back = read_metrics_file(dir / "metrics.jsonl");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(std::isnan(back[0].train_loss));
  EXPECT_EQ(back[0].test_loss, std::numeric_limits<double>::infinity());
  EXPECT_EQ(back[0].lr, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(back[0].test_error, 12.5);
  EXPECT_TRUE(std::isnan(back[1].train_loss));  // older files wrote NaN as null
}

TEST(Trainer, AMetricsLineWithAnImpossibleEpochIsMalformed) {  // found by fuzz_metrics (UB converting 1e45)
  test::ScratchDir dir;
  for (const char* epoch : {"1e45", "0", "-3", "2.5", "\"1\""}) {
    test::write_text(dir / "m.jsonl", std::string("{\"epoch\": ") + epoch + "}\n");
    EXPECT_EQ(test::error_message<DataError>([&] { read_metrics_file(dir / "m.jsonl"); }),
              dir / "m.jsonl" + ":1: malformed metrics line") << epoch;
  }
}

TEST(Trainer, ALossAboveTheDivergenceBoundStopsTraining) {
  TinySources data;
  auto options = tiny_options();
  options.check_interval = 0;
  options.divergence = 1e4;  // bound 1e4 · ln 2 ≈ 6931; logits scaled by 1e7 give losses far above it
  Trainer trainer(std::make_shared<TinyImpl>(false, 1e7), data.train, data.test, options);
  try {
    trainer.train([](const EpochMetrics&) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("above the divergence bound 10000 x ln(2) = 6931 at epoch 1 step 1"),
              std::string::npos) << e.what();
  }
  options.divergence.reset();  // off: only non-finite losses stop training (x100 keeps them large but finite)
  Trainer tolerant(std::make_shared<TinyImpl>(false, 100), data.train, data.test, options);
  double largest = 0;
  EXPECT_EQ(tolerant.train([&](const EpochMetrics& m) { largest = std::max(largest, m.train_loss); }),
            Trainer::Outcome::kFinished);
  EXPECT_GT(largest, 6931);  // the bound would have stopped this run
}

// Trains `epochs` epochs stopped where `stop_after` says (it counts the questions), checks the
// outcome and where it stopped, then resumes from a checkpoint and expects the uninterrupted run:
// every epoch's losses and errors and the final weights.
void expect_stop_and_exact_resume(long epochs, int stop_after, Trainer::Outcome outcome,
                                  std::optional<std::array<int64_t, 3>> partial) {
  TinySources data;
  test::ScratchDir dir;
  auto options = tiny_options();
  options.epochs = epochs;
  auto [straight_model, a] = train_straight(data, options);

  torch::manual_seed(1);
  int asked = 0;
  auto stopping = options;
  stopping.stop_requested = [&] { return ++asked >= stop_after; };
  Trainer first(std::make_shared<TinyImpl>(), data.train, data.test, stopping);
  std::vector<EpochMetrics> b;
  EXPECT_EQ(first.train([&](const EpochMetrics& m) { b.push_back(m); }), outcome);
  EXPECT_EQ(asked, stop_after);
  EXPECT_EQ(first.completed_epochs(), 1);
  EXPECT_EQ(first.partial_position(), partial);
  first.save_checkpoint(dir / "c.pt");

  auto resumed_model = std::make_shared<TinyImpl>();
  Trainer resumed(resumed_model, data.train, data.test, options);
  resumed.load_checkpoint(dir / "c.pt");
  EXPECT_EQ(resumed.partial_position(), partial);
  EXPECT_EQ(resumed.train([&](const EpochMetrics& m) { b.push_back(m); }), Trainer::Outcome::kFinished);
  ASSERT_EQ(b.size(), static_cast<size_t>(epochs));
  for (size_t e = 0; e < b.size(); ++e) {
    EXPECT_EQ(b[e].train_loss, a[e].train_loss) << e;
    EXPECT_EQ(b[e].train_error, a[e].train_error) << e;
    EXPECT_EQ(b[e].test_loss, a[e].test_loss) << e;
  }
  EXPECT_TRUE(torch::equal(resumed_model->fc->weight, straight_model->fc->weight));
}

// Asked before epoch 1, after its steps 1-4 (not its last), before epoch 2, then after its steps 1
// and 2: stopped at epoch 2, step 2 of 5.
TEST(Trainer, AnEpochStoppedMidWayContinuesFromItsCheckpointExactly) {
  expect_stop_and_exact_resume(3, 8, Trainer::Outcome::kInterrupted, std::array<int64_t, 3>{2, 2, 5});
}

// A stop asked during an epoch's last step (first seen before epoch 2, the 6th question) ends
// training at the boundary — no step of the next epoch runs — and the run resumes exactly.
TEST(Trainer, AStopDuringAnEpochsLastStepEndsAtTheBoundary) {
  expect_stop_and_exact_resume(2, 6, Trainer::Outcome::kStopped, std::nullopt);
}

}  // namespace
}  // namespace odenet
