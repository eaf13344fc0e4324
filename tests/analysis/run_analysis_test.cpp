// The modified-equation coefficients read back from a checkpoint with known k_n.
#include "analysis/run_analysis.h"

#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <filesystem>
#include <sstream>

#include "architectures/presets.h"
#include "core/error.h"
#include "discretizations/linear_multistep.h"
#include "tests/support/test_support.h"
#include "training/checkpoint_file.h"

namespace odenet {
namespace {

// A finished LM-ResNet-20 run directory whose k_n are set to known values.
// `container`: the checkpoint as the trainer writes it (header + archive), else a bare archive.
std::vector<double> make_lm_run(const std::string& dir, bool container = false) {
  std::filesystem::create_directories(dir);
  auto options = preset_options("lm_resnet20");
  auto scheme = options.scheme;
  auto model = build_model(options, *scheme, 1, 10);
  std::vector<double> ks;
  torch::NoGradGuard no_grad;
  int i = 0;
  for (const auto& item : model->named_modules("", false))
    if (auto* lm = dynamic_cast<LinearMultistepStepImpl*>(item.value().get())) {
      double k = i == 5 ? -1.2 : -0.3 + 0.1 * i;  // block 6 outside the zero-stability range
      lm->named_parameters(false)["s"].fill_(1.0 - k);  // official parametrisation: s = 1 − k
      ks.push_back(k);
      ++i;
    }
  torch::serialize::OutputArchive archive, model_archive;
  model->save(model_archive);
  archive.write("model", model_archive);
  if (container) {
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_checkpoint_file(dir + "/checkpoint.pt", bytes.str(), {{"epoch", 1}});
  } else {
    archive.save_to(dir + "/checkpoint.pt");
  }
  test::write_text(dir + "/config.json", nlohmann::json{{"model", to_json(options)}}.dump());
  test::write_text(dir + "/summary.json", nlohmann::json{{"data", {{"shape", {1, 28, 28}}, {"classes", 10}}}}.dump());
  return ks;
}

TEST(RunAnalysis, ReadsKnownKAndTheModifiedEquationCoefficients) {
  test::ScratchDir dir;
  auto ks = make_lm_run(dir / "run");
  RunAnalysis a = analyze_run(dir / "run");
  ASSERT_EQ(a.blocks.size(), 6u);  // 3 stages × 2 LM blocks (the first of each stage is forward Euler)
  for (size_t i = 0; i < ks.size(); ++i) {
    EXPECT_NEAR(a.blocks[i].k, ks[i], 1e-6);
    ASSERT_EQ(a.blocks[i].terms.size(), 2u);  // the LM scheme's meaning: 1 + k and (1 − k)Δt/2
    EXPECT_EQ(a.blocks[i].terms[0].key, "one_plus_k");
    EXPECT_NEAR(a.blocks[i].terms[0].value, 1 + ks[i], 1e-6);
    EXPECT_EQ(a.blocks[i].terms[1].key, "mass");
    EXPECT_NEAR(a.blocks[i].terms[1].value, (1 - ks[i]) / 2, 1e-6);
    EXPECT_EQ(a.blocks[i].zero_stable, i != 5);
  }
  EXPECT_EQ(a.blocks[0].block, "stage1.block2");
  EXPECT_EQ(a.blocks[0].depth, 2);
  EXPECT_EQ(a.modified_equation, "(1 + k_n) u̇ + (1 − k_n)(Δt/2) ü = f(u) + O(Δt²)");
  double mean = 0;
  for (double k : ks) mean += k / ks.size();
  EXPECT_NEAR(a.mean_k, mean, 1e-6);
  EXPECT_NEAR(a.predicted_error_ratio, (1 - mean) / (1 + mean), 1e-6);
  EXPECT_NEAR(a.measured_error_ratio, a.predicted_error_ratio, 0.1 * a.predicted_error_ratio);
}

TEST(RunAnalysis, ReadsTheCheckpointContainerTheTrainerWrites) {
  test::ScratchDir dir;
  auto ks = make_lm_run(dir / "run", /*container=*/true);
  RunAnalysis a = analyze_run(dir / "run");
  ASSERT_EQ(a.blocks.size(), ks.size());
  for (size_t i = 0; i < ks.size(); ++i) EXPECT_NEAR(a.blocks[i].k, ks[i], 1e-6);
}

TEST(RunAnalysis, IncompleteRunDirectoriesAreClearErrors) {
  test::ScratchDir dir;
  try {
    analyze_run(dir / "nowhere");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "nowhere" + ": no such run directory");
  }
  make_lm_run(dir / "run");
  std::filesystem::remove(dir / "run/summary.json");
  try {
    analyze_run(dir / "run");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "run" + ": no summary.json (the run is unfinished or still in progress)");
  }
  make_lm_run(dir / "run");
  test::write_text(dir / "run/checkpoint.pt", "not a checkpoint");
  EXPECT_THROW(analyze_run(dir / "run"), DataError);
}

TEST(RunAnalysis, ForwardEulerErrorConstantMatchesTheory) {
  test::ScratchDir dir;
  make_lm_run(dir / "run");
  auto options = preset_options("resnet20");
  test::write_text(dir / "run/config.json", nlohmann::json{{"model", to_json(options)}}.dump());
  auto scheme = options.scheme;
  auto model = build_model(options, *scheme, 1, 10);
  torch::serialize::OutputArchive archive, model_archive;
  model->save(model_archive);
  archive.write("model", model_archive);
  archive.save_to(dir / "run/checkpoint.pt");
  RunAnalysis a = analyze_run(dir / "run");
  EXPECT_TRUE(a.blocks.empty());
  EXPECT_EQ(a.error_problem, "decay");
  EXPECT_NEAR(a.measured_error_constant, std::exp(-1.0) / 2, 0.01 * std::exp(-1.0) / 2);
  EXPECT_DOUBLE_EQ(a.predicted_error_constant, std::exp(-1.0) / 2);
}

TEST(RunAnalysis, ForwardEulerRunsStateTheirLeadingTerm) {
  SchemeInfo info = build_scheme(scheme_registry(), "forward_euler", "-", "")->info();
  EXPECT_EQ(modified_equation(info), "u̇ + (Δt/2) ü = f(u) + O(Δt²)");
  SchemeInfo rk4 = build_scheme(scheme_registry(), "runge_kutta", "-", "")->info();
  EXPECT_EQ(modified_equation(rk4), "u̇ = f(u) + C Δt^4 u^(5) + …  (order 4: the first 4 Taylor terms match)");
}

}  // namespace
}  // namespace odenet
