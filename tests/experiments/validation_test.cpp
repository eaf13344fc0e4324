// Every validation error names the file and the JSON path, in one line.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "experiments/experiment.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;

const char* kValid = R"({
  "name": "t",
  "dataset": {"name": "fashion_mnist", "root": "/data/fm"},
  "model": {"preset": "resnet20"},
  "train": {"epochs": 2, "optimizer": {"lr": 0.05}, "schedule": {"name": "multistep", "milestones": [1]}}
})";

class Validation : public ::testing::Test {
 protected:
  std::string write(const std::string& text, const std::string& name = "exp.json") {
    test::write_text(dir_ / name, text);
    return dir_ / name;
  }
  // The error message of loading `text` with `pointer` replaced by `value`.
  std::string error_of(const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json j = nlohmann::json::parse(kValid);
    if (value.is_null())
      j[nlohmann::json::json_pointer(pointer).parent_pointer()].erase(
          nlohmann::json::json_pointer(pointer).back());
    else
      j[nlohmann::json::json_pointer(pointer)] = value;
    return error_text(j.dump());
  }
  std::string error_text(const std::string& text) {
    std::string file = write(text);
    try {
      load_experiment(file);
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.exit_code(), 2);
      std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos);
      EXPECT_EQ(message.rfind(file + ": ", 0), 0u) << message;
      return message.substr(file.size() + 2);
    }
    return "(no error)";
  }
  test::ScratchDir dir_;
};

TEST_F(Validation, ValidFileResolvesDefaults) {
  Experiment e = load_experiment(write(kValid));
  ASSERT_EQ(e.runs.size(), 1u);
  const auto& c = e.runs[0].config;
  EXPECT_EQ(e.runs[0].run_id, "s0");
  EXPECT_EQ(c["dataset"]["format"], "idx");
  EXPECT_EQ(c["train"]["batch_size"], 128);
  EXPECT_EQ(c["train"]["optimizer"]["momentum"], 0.9);
  EXPECT_EQ(c["model"]["scheme"]["name"], "forward_euler");
  EXPECT_EQ(c["model"]["depth"], 20);
}

TEST_F(Validation, MalformedJson) {
  EXPECT_EQ(error_text("{\"name\": \"t\",}").rfind("invalid JSON near /name: parse error at line 1, column 14: syntax error", 0), 0u);
}

TEST_F(Validation, UnknownKeys) {
  EXPECT_EQ(error_of("/train/epocs", 3), "/train/epocs: unknown key; did you mean 'epochs'?");
  EXPECT_EQ(error_of("/trian", 3), "/trian: unknown key; did you mean 'train'?");
  EXPECT_EQ(error_of("/train/optimizer/weight_decy", 0.1),
            "/train/optimizer/weight_decy: unknown key; did you mean 'weight_decay'?");
  EXPECT_EQ(error_of("/dataset/augment/pda", 1), "/dataset/augment/pda: unknown key; did you mean 'pad'?");
  EXPECT_EQ(error_of("/train/xyzzy", 1), "/train/xyzzy: unknown key");
}

// The five mistakes a new user made: a misspelt scheme, preset and key, and two keys one level off.
TEST_F(Validation, MistakesGetTheNearChoiceOrTheKeysHome) {
  EXPECT_EQ(error_of("/model/scheme", {{"name", "linear_multistp"}}),
            "/model/scheme/name: unknown scheme 'linear_multistp'; did you mean 'linear_multistep'?");
  EXPECT_EQ(error_of("/model/preset", "LM_ResNet20"),
            "/model/preset: unknown model preset 'LM_ResNet20'; did you mean 'lm_resnet20'?");
  EXPECT_EQ(error_of("/train/optimizer/momentun", 0.5),
            "/train/optimizer/momentun: unknown key; did you mean 'momentum'?");
  EXPECT_EQ(error_of("/train/lr", 0.1), "/train/lr: unknown key; it belongs at /train/optimizer/lr");
  EXPECT_EQ(error_of("/scheme", "linear_multistep"), "/scheme: unknown key; it belongs at /model/scheme");
  EXPECT_EQ(error_of("/train/schedule/name", "cosin"),
            "/train/schedule/name: 'cosin' is not one of: multistep, cosine, constant; did you mean 'cosine'?");
}

TEST_F(Validation, WrongTypes) {
  EXPECT_EQ(error_of("/train/epochs", "ten"), "/train/epochs: expected an integer, got \"ten\" (a string)");
  EXPECT_EQ(error_of("/train/optimizer/nesterov", 1), "/train/optimizer/nesterov: expected a boolean, got 1 (an integer)");
  EXPECT_EQ(error_of("/model", "resnet20"), "/model: expected an object, got \"resnet20\" (a string)");
  EXPECT_EQ(error_of("/seeds", 3), "/seeds: expected an array of integers, got 3 (an integer)");
}

TEST_F(Validation, OutOfRange) {
  EXPECT_EQ(error_of("/train/epochs", 0), "/train/epochs: 0 is out of range [1, 100000]");
  EXPECT_EQ(error_of("/train/optimizer/lr", -0.1), "/train/optimizer/lr: -0.1 is out of range [0, 100]");
  EXPECT_EQ(error_of("/train/schedule/milestones", {1, 5}), "/train/schedule/milestones/1: 5 is out of range [1, 2]");
  EXPECT_EQ(error_of("/model/depth", 21),
            "/model: preset 'resnet20' with scheme 'forward_euler': model depth 21 is not 6n+2 (n >= 1) as the "
            "cifar_resnet layout with basic blocks needs");
}

TEST_F(Validation, UnknownNames) {
  EXPECT_EQ(error_of("/model/scheme", {{"name", "rk9"}}),
            "/model/scheme/name: unknown scheme 'rk9'; registered: forward_euler, fractal_expansion, fractal_rk2, "
            "gaussian_noise, hamiltonian, leapfrog_second_order, linear_multistep, momentum, neumann_fixed_point, "
            "polynet_literal, polynet_mpoly, polynet_way, reversible, runge_kutta, shake_shake, stochastic_depth, "
            "stochastic_lm (a plugin's scheme? load it with --plugin PATH or ODENET_PLUGINS)");
  EXPECT_EQ(error_of("/model/preset", "resnet21"), "/model/preset: unknown model preset 'resnet21'; did you mean 'resnet20'?");
  EXPECT_EQ(error_of("/model/preset", "vgg").rfind("/model/preset: unknown model preset 'vgg'; registered: ", 0), 0u);
  EXPECT_EQ(error_of("/train/optimizer/name", "adam"), "/train/optimizer/name: 'adam' is not one of: sgd");
  EXPECT_EQ(error_of("/dataset/format", "hdf5"), "/dataset/format: 'hdf5' is not one of: cifar_binary, idx, image_folder, image_stream");
}

TEST_F(Validation, SchemesFromJsonAndTheirShapeErrors) {
  nlohmann::json j = nlohmann::json::parse(kValid);
  j["model"]["scheme"] = {{"name", "reversible"}, {"method", "verlet"}};
  EXPECT_EQ(error_text(j.dump()),
            "/model: preset 'resnet20' with scheme 'reversible': model depth 20 is not 12n+2 (n >= 1) as the "
            "cifar_resnet layout with basic blocks and a partitioned scheme (two fields per step) needs");
  j["model"]["depth"] = 26;  // 12n + 2: a reversible step holds two fields in sequence
  EXPECT_EQ(load_experiment(write(j.dump())).runs[0].config["model"]["scheme"]["method"], "verlet");
  j["model"]["width"] = 3;
  EXPECT_EQ(error_text(j.dump()),
            "/model: preset 'resnet20' with scheme 'reversible': scheme 'reversible' splits the state into two "
            "halves, but the output of stage 1 has 3 channels (odd)");
  EXPECT_EQ(error_of("/model/scheme", {{"name", "fractal"}, {"columns", 9}}), "/model/scheme/columns: unknown key");
  EXPECT_EQ(error_of("/model/scheme", {{"name", "fractal"}, {"form", "expansion"}, {"columns", 9}}),
            "/model/scheme/columns: 9 is out of range [1, 6]");
}

TEST_F(Validation, LayoutSpecificModelKeys) {
  nlohmann::json j = nlohmann::json::parse(kValid);
  j["model"] = {{"preset", "fractalnet_cifar"}, {"depth", 40}};
  EXPECT_EQ(error_text(j.dump()),
            "/model/depth: not used by the fractalnet layout with conv fields (they read: stage_widths, dropout)");
  // Keys of another field or layout are refused, not ignored: cardinality on basic fields, shortcuts
  // other than projections on the ImageNet layout.
  j["model"] = {{"preset", "resnet20"}, {"cardinality", 8}};
  EXPECT_EQ(error_text(j.dump()), "/model/cardinality: not used by the cifar_resnet layout with basic fields (they read: "
                                  "depth, width, stage_widths, shortcut, zero_init_residual)");
  j["model"] = {{"preset", "resnet50"}, {"shortcut", "zero_pad"}};
  EXPECT_EQ(error_text(j.dump()), "/model: preset 'resnet50' with scheme 'forward_euler': the imagenet_resnet layout's stage "
                                  "transitions use 1x1 projections: shortcut \"projection\", not \"zero_pad\"");
  j["model"] = {{"preset", "resnet50"}, {"block", "basic"}};
  EXPECT_EQ(error_text(j.dump()), "/model/block: 'basic' is not one of: bottleneck");
  j["model"] = {{"preset", "fractalnet_cifar"}, {"scheme", {{"name", "fractal"}, {"form", "expansion"}, {"columns", 4}}}};
  EXPECT_EQ(load_experiment(write(j.dump())).runs[0].config["model"]["scheme"]["columns"], 4);
  j["model"] = {{"preset", "resnet50"}, {"stage_widths", {64, 128, 256, 512}}};
  EXPECT_EQ(error_text(j.dump()), "/model/stage_widths: not used by the imagenet_resnet layout with bottleneck fields (they "
                                  "read: depth, width, shortcut, zero_init_residual, cardinality, bottleneck_width)");
  j["model"] = {{"preset", "revnet38"}, {"stage_widths", {32, 64}}};
  EXPECT_EQ(error_text(j.dump()), "/model: preset 'revnet38' with scheme 'reversible': stage_widths has 2 entries; the "
                                  "cifar_resnet layout has 3 stages");
  j["model"] = {{"preset", "resnet20"}, {"stage_widths", {16, 8, 32}}};  // resnet20: zero_pad shortcuts
  EXPECT_EQ(error_text(j.dump()), "/model: preset 'resnet20' with scheme 'forward_euler': stage_widths narrows 16 → 8 "
                                  "channels, which the zero_pad shortcut cannot do: use shortcut \"projection\"");
}

TEST_F(Validation, MissingRequiredKeys) {
  EXPECT_EQ(error_of("/train/epochs", nullptr), "/train/epochs: required key is missing");
  EXPECT_EQ(error_of("/name", nullptr), "/name: required key is missing");
  EXPECT_EQ(error_text(R"({"name":"t","dataset":{"name":"custom"},"model":{"preset":"resnet20"},"train":{"epochs":1}})"),
            "/dataset/format: required key is missing");
}

TEST_F(Validation, SweepExpandsGridTimesSeeds) {
  nlohmann::json j = nlohmann::json::parse(kValid);
  j["seeds"] = {0, 1, 2};
  j["sweep"] = {{"model.preset", {"resnet20", "lm_resnet20"}}, {"train.optimizer.lr", {0.1, 0.05}}};
  Experiment e = load_experiment(write(j.dump()));
  ASSERT_EQ(e.runs.size(), 12u);
  std::set<std::string> ids;
  for (const auto& r : e.runs) ids.insert(r.run_id);
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_TRUE(ids.count("lm_resnet20_lr-0.05_s2")) << *ids.begin();
  EXPECT_EQ(e.runs.back().config["train"]["optimizer"]["lr"], 0.05);
  EXPECT_EQ(e.runs.back().config["model"]["scheme"]["name"], "linear_multistep");
}

// Sweeps over objects are named by what they hold: a scheme as tables label it, or the value's
// "label" (kept out of the config); a run directory named by the older index-based id keeps it.
TEST_F(Validation, SweptObjectsNameTheirRuns) {
  nlohmann::json j = nlohmann::json::parse(kValid);
  j["sweep"] = {{"model.scheme",
                 {{{"name", "forward_euler"}},
                  {{"name", "runge_kutta"}, {"tableau", "midpoint"}},
                  {{"name", "linear_multistep"}, {"label", "LM (paper)"}}}}};
  Experiment e = load_experiment(write(j.dump()));
  ASSERT_EQ(e.runs.size(), 3u);
  EXPECT_EQ(e.runs[0].run_id, "forward_euler_s0");
  EXPECT_EQ(e.runs[1].run_id, "runge_kutta_tableau-midpoint_s0");
  EXPECT_EQ(e.runs[2].run_id, "LM__paper__s0");
  EXPECT_FALSE(e.runs[2].config["model"]["scheme"].contains("label"));
  EXPECT_EQ(e.runs[2].legacy_run_id, "scheme-2_s0");

  fs::create_directories(dir_ / "results/t/scheme-1_s0");
  Experiment kept = with_existing_run_ids(e, dir_ / "results");
  EXPECT_EQ(kept.runs[0].run_id, "forward_euler_s0");
  EXPECT_EQ(kept.runs[1].run_id, "scheme-1_s0");

  // A misspelt swept path is an error naming the near key, inside the model or at the top.
  nlohmann::json typo = nlohmann::json::parse(kValid);
  typo["sweep"] = {{"model.schem", {{{"name", "forward_euler"}}}}};
  EXPECT_EQ(error_text(typo.dump()),
            "/model/schem: unknown key; did you mean 'scheme'? (in the sweep run model.schem={\"name\":\"forward_euler\"})");
  typo["sweep"] = {{"modle.scheme", {{{"name", "forward_euler"}}}}};
  EXPECT_EQ(error_text(typo.dump()),
            "/modle: unknown key; did you mean 'model'? (in the sweep run modle.scheme={\"name\":\"forward_euler\"})");

  j["sweep"]["model.scheme"][1]["label"] = 3;
  EXPECT_EQ(error_text(j.dump()), "/sweep/model.scheme/1/label: expected a name of 1 to 80 characters, got 3 (an integer)");
}

TEST_F(Validation, ReferencesAttachToRunGroups) {
  nlohmann::json j = nlohmann::json::parse(kValid);
  j["sweep"] = {{"model.preset", {"resnet20", "lm_resnet20"}}};
  j["reference"] = {{"resnet20", 8.75}, {"lm_resnet20", 8.33}};
  Experiment e = load_experiment(write(j.dump()));
  EXPECT_EQ(e.runs[0].reference, 8.75);
  EXPECT_EQ(e.runs[1].reference, 8.33);
  j["reference"] = {{"resnet21", 8.75}};
  EXPECT_EQ(error_text(j.dump()), "/reference/resnet21: matches no run group (run ids without their _s<seed> suffix)");
  j["reference"] = {{"resnet20", "8.75"}};
  EXPECT_EQ(error_text(j.dump()), "/reference/resnet20: expected a number, got \"8.75\" (a string)");
}

TEST_F(Validation, SweepErrorsNameTheSweptValue) {
  nlohmann::json j = nlohmann::json::parse(kValid);
  j["sweep"] = {{"model.preset", {"resnet20", "resnet7"}}};
  EXPECT_EQ(error_text(j.dump()).find("/model/preset: unknown model preset 'resnet7'"), 0u);
  EXPECT_NE(error_text(j.dump()).find("(in the sweep run model.preset=\"resnet7\")"), std::string::npos);
  j["sweep"] = {{"model.preset", "resnet20"}};
  EXPECT_EQ(error_text(j.dump()), "/sweep/model.preset: expected a non-empty array of values, got \"resnet20\" (a string)");
}

TEST_F(Validation, ExtendsMergesObjectsAndDetectsCycles) {
  write(R"({"name": "base", "dataset": {"name": "fashion_mnist", "train_limit": 100},
            "model": {"preset": "resnet20"}, "train": {"epochs": 5, "batch_size": 64}})",
        "base.json");
  Experiment e = load_experiment(
      write(R"({"extends": "base.json", "name": "child", "train": {"epochs": 1}, "dataset": {"test_limit": 7}})"));
  const auto& c = e.runs[0].config;
  EXPECT_EQ(e.name, "child");
  EXPECT_EQ(c["train"]["epochs"], 1);
  EXPECT_EQ(c["train"]["batch_size"], 64);
  EXPECT_EQ(c["dataset"]["train_limit"], 100);
  EXPECT_EQ(c["dataset"]["test_limit"], 7);

  write(R"({"extends": "b.json", "name": "a"})", "a.json");
  write(R"({"extends": "a.json", "name": "b"})", "b.json");
  try {
    load_experiment(dir_ / "a.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/extends: inheritance cycle"), std::string::npos) << e.what();
  }
  EXPECT_EQ(error_text(R"({"extends": "missing.json", "name": "x"})"), "/extends: no such file " + dir_ / "missing.json");
}

}  // namespace
}  // namespace odenet
