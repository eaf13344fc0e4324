// Every options struct reads back what its writer writes: example → read → to_json → read →
// equal (the struct's fields and the JSON), and each mode's spellings name their enum values.
#include <gtest/gtest.h>

#include <filesystem>

#include "architectures/depth_refinement.h"
#include "architectures/model_options.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "data/dataset_options.h"
#include "experiments/config_version.h"
#include "experiments/experiment.h"
#include "tests/support/test_support.h"
#include "training/lr_schedule.h"
#include "training/optimizer_options.h"
#include "training/train_options.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;

JsonReader reader(const nlohmann::json& j) { return JsonReader(j, "test.json", ""); }

TEST(OptionsRoundTrip, Optimizer) {
  const nlohmann::json example{{"lr", 0.05}, {"momentum", 0.8}, {"nesterov", true}, {"weight_decay", 5e-4},
                               {"decay_excludes", {"bn", "bias", "k"}}};
  const OptimizerOptions a = read_optimizer_options(reader(example));
  const nlohmann::json written = to_json(a);
  const OptimizerOptions b = read_optimizer_options(reader(written));
  EXPECT_EQ(b.lr, 0.05);
  EXPECT_EQ(b.momentum, 0.8);
  EXPECT_TRUE(b.nesterov);
  EXPECT_EQ(b.weight_decay, 5e-4);
  EXPECT_EQ(b.decay_excludes, (std::vector<DecayExclusion>{DecayExclusion::kBatchNorm, DecayExclusion::kBias,
                                                           DecayExclusion::kCoefficients}));
  EXPECT_EQ(to_json(b), written);
  EXPECT_EQ(test::error_message<ConfigError>([] {
              read_optimizer_options(reader(nlohmann::json{{"decay_excludes", {"bn", "biass"}}}));
            }),
            "test.json: /decay_excludes/1: 'biass' is not one of: bn, bias, k; did you mean 'bias'?");
}

TEST(OptionsRoundTrip, TrainOptionsEveryKey) {
  const test::ScratchDir dir;
  const std::string weights = dir / "weights.pt";
  test::write_text(weights, "not read here");
  const nlohmann::json example{{"epochs", 7},
                               {"batch_size", 64},
                               {"eval_batch_size", 100},
                               {"channels_last", false},
                               {"sync_batchnorm", true},
                               {"divergence", nullptr},
                               {"label_smoothing", 0.1},
                               {"init_from", weights},
                               {"init_names", "torchvision"},
                               {"optimizer", {{"lr", 0.2}, {"momentum", 0.5}}},
                               {"schedule", {{"name", "cosine"}, {"warmup_epochs", 2}}}};
  const JsonReader r = reader(example);
  const TrainOptions a = read_train_options(r);
  r.finish();  // every key of the example was read
  const nlohmann::json written = to_json(a);
  const TrainOptions b = read_train_options(reader(written));
  EXPECT_EQ(b.epochs, 7);
  EXPECT_EQ(b.batch_size, 64);
  EXPECT_EQ(b.eval_batch_size, 100);
  EXPECT_FALSE(b.channels_last);
  EXPECT_TRUE(b.sync_batchnorm);
  EXPECT_FALSE(b.divergence.has_value());
  EXPECT_EQ(b.label_smoothing, 0.1);
  EXPECT_EQ(b.init_from, weights);
  EXPECT_EQ(b.init_names, StateDictNaming::kTorchvision);
  EXPECT_EQ(b.optimizer.lr, 0.2);
  EXPECT_EQ(b.schedule.kind, ScheduleKind::kCosine);
  EXPECT_EQ(to_json(b), written);
  // The defaults read back as defaults, and the run's own keys are left to the caller.
  const nlohmann::json minimal{{"epochs", 1}}, minimal_written = to_json(read_train_options(reader(minimal)));
  const TrainOptions d = read_train_options(reader(minimal_written));
  EXPECT_EQ(d.batch_size, 128);
  EXPECT_EQ(d.divergence, 1e4);
  EXPECT_TRUE(d.init_from.empty());
  EXPECT_FALSE(minimal_written.contains("label_smoothing"));  // off: not written, so older configs compare equal
  const nlohmann::json with_precision_json{{"epochs", 1}, {"precision", "fp32"}};
  const JsonReader with_precision = reader(with_precision_json);
  read_train_options(with_precision);
  EXPECT_EQ(test::error_message<ConfigError>([&] { with_precision.finish(); }), "test.json: /precision: unknown key; it belongs at /train/precision");
}

TEST(OptionsRoundTrip, EveryScheduleKind) {
  const std::vector<nlohmann::json> examples{
      {{"name", "multistep"}, {"milestones", {3, 6}}, {"gamma", 0.2}, {"warmup_epochs", 0.5}},
      {{"name", "cosine"}, {"min_lr", 0.001}, {"warmup_epochs", 1.0}},
      {{"name", "constant"}, {"warmup_epochs", 0.0}}};
  ASSERT_EQ(examples.size(), schedule_kind_names().size());
  for (const auto& example : examples) {
    const ScheduleOptions a = read_schedule_options(reader(example), 10, 0.1);
    EXPECT_EQ(enum_name(schedule_kind_names(), a.kind), example["name"].get<std::string>());
    const ScheduleOptions b = read_schedule_options(reader(to_json(a)), 10, 0.1);
    EXPECT_EQ(b.kind, a.kind);
    EXPECT_EQ(b.milestones, a.milestones);
    EXPECT_EQ(b.gamma, a.gamma);
    EXPECT_EQ(b.min_lr, a.min_lr);
    EXPECT_EQ(b.warmup_epochs, a.warmup_epochs);
    EXPECT_EQ(to_json(b), example) << example;  // the example is already in resolved form
    for (double t : {0.25, 2.0, 5.5, 9.9}) EXPECT_EQ(learning_rate(a, 0.1, t, 10), learning_rate(b, 0.1, t, 10));
  }
  // An unknown schedule is an error naming the path and the choices (it used to mean a constant rate).
  EXPECT_EQ(test::error_message<ConfigError>(
                [] { read_schedule_options(reader(nlohmann::json{{"name", "cosinus"}}), 10, 0.1); }),
            "test.json: /name: 'cosinus' is not one of: multistep, cosine, constant; did you mean 'cosine'?");
}

TEST(OptionsRoundTrip, RefineSchedule) {
  const nlohmann::json example{{"at_epochs", {2, 4}}, {"factor", 2}, {"interpolation", "linear"}};
  const RefineSchedule a = read_refine_schedule(reader(example), 6);
  const RefineSchedule b = read_refine_schedule(reader(to_json(a)), 6);
  EXPECT_EQ(to_json(b), to_json(a));
  EXPECT_EQ(b.at_epochs, a.at_epochs);
  EXPECT_EQ(b.factor, a.factor);
  EXPECT_EQ(b.interpolation, a.interpolation);
}

TEST(OptionsRoundTrip, EveryPresetsModelOptions) {
  for (const auto& name : preset_registry().names()) {
    const ModelOptions a = preset_options(name);
    const nlohmann::json written = to_json(a);
    const ModelOptions b = model_options_from_json(reader(written), preset_options);
    EXPECT_EQ(to_json(b), written) << name;
    EXPECT_EQ(b.depth, a.depth) << name;
    EXPECT_EQ(b.width, a.width) << name;
    EXPECT_EQ(b.layout, a.layout) << name;
    EXPECT_EQ(b.block, a.block) << name;
  }
}

TEST(OptionsRoundTrip, DatasetOfEveryFormat) {
  test::ScratchDir dir;
  const std::vector<nlohmann::json> examples{
      {{"name", "fashion_mnist"}, {"train_limit", 100}},
      {{"name", "cifar100"}, {"root", (dir / "c100").c_str()}},
      {{"name", "mine"}, {"format", "image_folder"}, {"root", (dir / "f").c_str()}, {"channels", 1},
       {"cache_dir", (dir / "cache").c_str()}, {"augment", {{"pad", 0}, {"flip", false}}}}};
  for (const auto& example : examples) {
    AugmentOptions augment_a, augment_b;
    nlohmann::json resolved_a, resolved_b;
    const DatasetOptions a = read_dataset_options(reader(example), augment_a, resolved_a);
    const DatasetOptions b = read_dataset_options(reader(resolved_a), augment_b, resolved_b);
    EXPECT_EQ(resolved_b, resolved_a) << example;
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.format, a.format);
    EXPECT_EQ(b.root, a.root);
    EXPECT_EQ(b.channels, a.channels);
    EXPECT_EQ(b.classes, a.classes);
    EXPECT_EQ(b.format_options.has_value(), a.format_options.has_value());  // its values: in resolved
    EXPECT_EQ(b.train_limit, a.train_limit);
    EXPECT_EQ(augment_b.pad, augment_a.pad);
    EXPECT_EQ(augment_b.flip, augment_a.flip);
    EXPECT_EQ(augment_b.mean, augment_a.mean);
    EXPECT_EQ(augment_b.std, augment_a.std);
  }
  AugmentOptions augment_folder;
  nlohmann::json resolved_folder;
  read_dataset_options(reader(examples[2]), augment_folder, resolved_folder);
  EXPECT_EQ(resolved_folder["cache_dir"], dir / "cache");
  // The known data sets' table (data/datasets.def) reads strictly: every row gives its classes.
  for (const auto& name : known_dataset_names()) EXPECT_GT(dataset_defaults(name).classes, 1) << name;
  // A format's own key under another format is an error, not ignored.
  AugmentOptions augment;
  nlohmann::json resolved;
  EXPECT_THROW(read_dataset_options(reader(nlohmann::json{{"name", "fashion_mnist"}, {"cache_dir", "/tmp"}}), augment, resolved),
               ConfigError);
}

// A whole run config: the experiment's resolved config loads as an experiment again, to the same
// config (train, precision, optimiser, schedule, data set, model, scheme).
TEST(OptionsRoundTrip, ResolvedRunConfigsLoadToThemselves) {
  test::ScratchDir dir;
  test::write_text(dir / "state.pt", "placeholder");  // init_from names an existing file
  nlohmann::json experiment = nlohmann::json::parse(R"({
    "name": "rt", "seeds": [3],
    "dataset": {"name": "fashion_mnist", "root": "/data/fm", "train_limit": 64},
    "model": {"preset": "lm_resnet20", "depth": 14},
    "train": {"epochs": 4, "batch_size": 16, "precision": "bf16", "divergence": null, "sync_batchnorm": true,
              "optimizer": {"lr": 0.05, "nesterov": true, "decay_excludes": ["k"]},
              "schedule": {"name": "cosine", "warmup_epochs": 0.5, "min_lr": 0.001},
              "refine": {"at_epochs": [2], "factor": 2}}
  })");
  experiment["train"]["init_from"] = dir / "state.pt";
  test::write_text(dir / "a.json", experiment.dump());
  const RunSpec a = load_experiment(dir / "a.json").runs.at(0);
  EXPECT_EQ(a.config["format_version"], kConfigFormatVersion);
  EXPECT_EQ(a.precision, PrecisionRequest::kBf16);
  EXPECT_EQ(a.train.schedule.kind, ScheduleKind::kCosine);
  EXPECT_EQ(a.train.init_names, StateDictNaming::kOdenet);
  nlohmann::json again = a.config;
  again["name"] = "rt";
  again["seeds"] = {again["seed"]};
  for (const char* key : {"experiment", "seed", "format_version"}) again.erase(key);
  test::write_text(dir / "b.json", again.dump());
  const RunSpec b = load_experiment(dir / "b.json").runs.at(0);
  EXPECT_EQ(b.config, a.config);
}

TEST(ConfigVersion, AVersionOneConfigIsUpgradedAndANewerOneRefused) {
  nlohmann::json v1{{"experiment", "e"}, {"seed", 0}, {"train", {{"epochs", 3}}}};
  const nlohmann::json v2 = upgrade_config(v1, "config.json");
  EXPECT_EQ(v2["format_version"], kConfigFormatVersion);
  EXPECT_EQ(v2["train"]["precision"], "auto");
  EXPECT_EQ(v2["train"]["divergence"], 1e4);
  EXPECT_EQ(upgrade_config(v2, "config.json"), v2);  // today's format is left as it is
  nlohmann::json kept = v1;
  kept["train"]["precision"] = "fp32";
  EXPECT_EQ(upgrade_config(kept, "config.json")["train"]["precision"], "fp32");
  nlohmann::json newer = v2;
  newer["format_version"] = kConfigFormatVersion + 1;
  EXPECT_EQ(test::error_message<DataError>([&] { upgrade_config(newer, "r/config.json"); }),
            "r/config.json: /format_version: " + std::to_string(kConfigFormatVersion + 1) +
                " is newer than this odenet reads (" + std::to_string(kConfigFormatVersion) + "); use a newer odenet");
  newer["format_version"] = "2";
  EXPECT_THROW(upgrade_config(newer, "r/config.json"), DataError);
}

}  // namespace
}  // namespace odenet
