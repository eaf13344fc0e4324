// The trained-network-as-ODE analysis against mathematics: Arnoldi's Ritz values of a linear
// field are the eigenvalues of its matrix; a step's stability region, probed through the scheme's
// own step, is |1 + z| ≤ 1 for forward Euler, |R(z)| ≤ 1 for RK4 and the root condition of
// ρ(ζ) − z σ(ζ) for LM-ResNet's step with its k; parameter increments and the depth exponent
// of known parameters; and `odenet ode` / `odenet depth-sweep` end to end on trained runs.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <filesystem>

#include "analysis/jacobian_spectrum.h"
#include "analysis/stability.h"
#include "analysis/step_stability.h"
#include "analysis/trained_ode.h"
#include "architectures/presets.h"
#include "discretizations/runge_kutta.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

// A = Q D Q⁻¹ with the given (real or conjugate-pair) eigenvalue blocks.
torch::Tensor matrix_with_eigenvalues(const std::vector<std::complex<double>>& pairs, const std::vector<double>& reals,
                                      int64_t seed) {
  const int64_t n = static_cast<int64_t>(2 * pairs.size() + reals.size());
  auto d = torch::zeros({n, n}, torch::kFloat64);
  int64_t i = 0;
  for (const auto& z : pairs) {
    d[i][i] = z.real(), d[i][i + 1] = z.imag(), d[i + 1][i] = -z.imag(), d[i + 1][i + 1] = z.real();
    i += 2;
  }
  for (double r : reals) d[i][i] = r, ++i;
  torch::manual_seed(seed);
  auto q = torch::eye(n, torch::kFloat64) + 0.3 * torch::randn({n, n}, torch::kFloat64);
  return torch::matmul(torch::matmul(q, d), torch::inverse(q));
}

// The largest relative distance from each of `want` to the nearest of `got`.
double worst_match(const std::vector<std::complex<double>>& want, const std::vector<std::complex<double>>& got) {
  double worst = 0;
  for (const auto& w : want) {
    double best = 1e300;
    for (const auto& g : got) best = std::min(best, std::abs(g - w) / std::abs(w));
    worst = std::max(worst, best);
  }
  return worst;
}

TEST(JacobianSpectrum, RitzValuesOfALinearFieldAreTheExactEigenvalues) {
  const std::vector<std::complex<double>> pairs{{-0.5, 2.0}, {0.3, 0.7}};
  const std::vector<double> reals{-3.0, 1.5, -0.2, 0.9, 2.5, -1.1};
  auto a = matrix_with_eigenvalues(pairs, reals, 1);  // 10 × 10
  std::vector<std::complex<double>> exact;
  for (const auto& z : pairs) exact.push_back(z), exact.push_back(std::conj(z));
  for (double r : reals) exact.emplace_back(r, 0.0);
  auto f = [&](const torch::Tensor& u) { return torch::matmul(u, a.t()); };
  auto u = torch::randn({3, 10}, torch::kFloat64);  // three examples: each its own Krylov space
  auto ritz = jacobian_ritz_values(f, u, 10, 7);
  ASSERT_EQ(ritz.size(), 3u);
  for (const auto& example : ritz) {
    ASSERT_EQ(example.size(), 10u);
    EXPECT_LT(worst_match(exact, example), 1e-6);
  }
  // A larger field: 30 Arnoldi steps find its dominant, well-separated eigenvalues.
  std::vector<double> bulk;
  for (int i = 0; i < 56; ++i) bulk.push_back(-0.5 + i / 55.0);
  bulk.push_back(9.0);
  bulk.push_back(-7.0);
  auto big = matrix_with_eigenvalues({{4.0, 3.0}}, bulk, 2);  // 60 × 60
  auto g = [&](const torch::Tensor& v) { return torch::matmul(v, big.t()); };
  auto top = jacobian_ritz_values(g, torch::randn({1, 60}, torch::kFloat64), 30, 3).front();
  EXPECT_LT(worst_match({{9.0, 0.0}, {-7.0, 0.0}, {4.0, 3.0}, {4.0, -3.0}}, top), 1e-6);
  // On a 4-D state through a convolution: J v by double backward equals the convolution of v.
  auto weight = torch::randn({2, 2, 3, 3}, torch::kFloat64);
  auto conv = [&](const torch::Tensor& x) { return torch::conv2d(x, weight, {}, 1, 1); };
  auto x = torch::randn({2, 2, 5, 5}, torch::kFloat64), v = torch::randn({2, 2, 5, 5}, torch::kFloat64);
  EXPECT_LT((jacobian_vector_product(conv, x, v) - conv(v)).abs().max().item<double>(), 1e-12);
}

TEST(StepStability, TheProbeGivesEachSchemesAmplificationFactor) {
  StepStabilityProbe euler(*build_scheme(scheme_registry(), "forward_euler", "-", ""));
  StepStabilityProbe rk4(*build_scheme(scheme_registry(), "runge_kutta", "-", ""));
  ButcherTableau tableau;
  for (const auto& t : butcher_presets())
    if (t.name == "rk4") tableau = t;
  for (std::complex<double> z : {std::complex<double>(-1.0, 0.5), {-2.5, 0.0}, {0.1, 1.0}, {-0.3, -2.0}}) {
    EXPECT_NEAR(euler.spectral_radius(z), std::abs(1.0 + z), 1e-12) << z;
    EXPECT_NEAR(rk4.spectral_radius(z), std::abs(amplification_factor(tableau, z)), 1e-12) << z;
  }
  EXPECT_TRUE(euler.stable({-1.0, 0.0}));
  EXPECT_FALSE(euler.stable({0.1, 0.0}));
}

// LM-ResNet's step u_{n+1} = (1 − k) u_n + k u_{n−1} + z u_n: its region's boundary, found by
// bisection on the probe, is where the largest root of ζ² − (1 − k + z) ζ − k has modulus 1.
TEST(StepStability, TheLmRegionForAGivenKIsTheRootConditionOfItsPolynomial) {
  for (double k : {-0.4, 0.3, 0.7}) {
    auto scheme = build_scheme(scheme_registry(), nlohmann::json{{"name", "linear_multistep"}, {"k", k}}, "-", "");
    StepStabilityProbe probe(*scheme);
    EXPECT_EQ(probe.history(), 2);
    auto boundary = stability_boundary_by_rays(probe, 36, 4.0);
    ASSERT_GE(boundary.size(), 20u) << k;
    for (const auto& z : boundary) {
      const std::complex<double> b = 1.0 - k + z, root = std::sqrt(b * b + 4.0 * k);
      const double largest = std::max(std::abs(0.5 * (b + root)), std::abs(0.5 * (b - root)));
      EXPECT_NEAR(largest, 1.0, 1e-6) << "k = " << k << ", z = " << z;
    }
    // A trained step's learned k gives the region of that k.
    auto learned = build_scheme(scheme_registry(), "linear_multistep", "-", "");
    auto step = learned->make_step(
        [](FieldPart) -> std::shared_ptr<FieldImpl> {
          struct Zero : FieldImpl {
            torch::Tensor forward(torch::Tensor u) override { return torch::zeros_like(u); }
          };
          return std::make_shared<Zero>();
        },
        StepContext{1.0, 0, 1, 1});
    {
      torch::NoGradGuard no_grad;
      step->named_parameters(false)["k"].fill_(k);
    }
    StepStabilityProbe trained(*learned, step.get());
    for (const auto& z : boundary) EXPECT_NEAR(trained.spectral_radius(z), probe.spectral_radius(z), 1e-12) << z;
  }
}

TEST(Smoothness, IncrementsOfKnownParametersAndTheDepthExponentOfKnownNorms) {
  // A network whose stage-1 second step holds twice its first step's parameters: every relative
  // increment there is ‖2θ − θ‖ / ‖θ‖ = 1, and the stage's largest norm is ‖2θ‖.
  auto options = model_options_from_json(
      JsonReader(nlohmann::json{{"preset", "preact_resnet20"}, {"depth", 14}, {"width", 4}}, "-", "/model"), preset_options);
  auto model = build_model(options, *options.scheme, 3, 10);
  auto network = std::dynamic_pointer_cast<StagedNetworkImpl>(model);
  ASSERT_TRUE(network);
  {
    torch::NoGradGuard no_grad;
    auto first = network->stages()[0]->steps()[0]->named_parameters();
    for (auto& p : network->stages()[0]->steps()[1]->named_parameters()) p.value().copy_(2 * first[p.key()]);
  }
  const SmoothnessReport known = smoothness_in_depth(*network);
  double norm = 0;
  for (const auto& p : network->stages()[0]->steps()[1]->parameters()) norm += p.to(torch::kFloat64).pow(2).sum().item<double>();
  EXPECT_NEAR(known.stage_max_norm[0], std::sqrt(norm), 1e-9 * std::sqrt(norm));
  size_t checked = 0;
  for (const auto& k : known.increments)
    if (k.stage == 0 && (k.kind == "all" || k.kind == "f.conv1.weight" || k.kind == "f.bn1.weight")) {
      ASSERT_EQ(k.relative.size(), 1u) << k.kind;
      EXPECT_NEAR(k.relative[0], 1.0, 1e-12) << k.kind;
      ++checked;
    }
  EXPECT_EQ(checked, 3u);

  // Depth scaling: max norms c L^{−1/2}, increments c' L^{−1}, exactly.
  std::vector<SmoothnessReport> runs;
  for (int64_t depth : {8, 14, 20, 32}) {
    SmoothnessReport r;
    r.depth = depth;
    r.max_norm = 3.0 / std::sqrt(static_cast<double>(depth));
    r.max_increment = 2.0 / static_cast<double>(depth);
    runs.push_back(r);
  }
  const DepthScaling d = depth_scaling(runs);
  ASSERT_TRUE(d.norm_exponent.defined);
  EXPECT_NEAR(d.norm_exponent.slope, -0.5, 1e-12);
  EXPECT_NEAR(d.increment_exponent.slope, -1.0, 1e-12);
  EXPECT_NEAR(d.norm_exponent.ci_low, -0.5, 1e-9);  // a perfect fit: the interval closes
  EXPECT_EQ(d.depths, (std::vector<int64_t>{8, 14, 20, 32}));
}

class TrainedOde : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_idx_dataset(dir_ / "data", 256, 64, 12, 4);
    auto j = test::tiny_experiment(dir_ / "data", "sweep", 2);
    j["train"]["precision"] = "fp32";
    j["sweep"] = {{"model.depth", {8, 14, 20}}};
    test::write_text(dir_ / "sweep.json", j.dump(2));
    auto run = test::run_odenet("run " + dir_ / "sweep.json" + " --threads 1 --results " + dir_ / "results");
    ASSERT_EQ(run.status, 0) << run.output;
  }
  test::ScratchDir dir_;
};

TEST_F(TrainedOde, OdeCommandReintegratesTheRunAndTheTrainedNetworkIsItsOwnFirstRow) {
  const std::string run = dir_ / "results/sweep/depth-14_s0";
  auto r = test::run_odenet("ode " + run + " --factors 1,2,4 --examples 0 --eigen-examples 2 --iterations 8 --threads 1 --schemes own "
                            "forward_euler --out " + run + "/ode --json");
  ASSERT_EQ(r.status, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  const auto& rows = j["refinement"]["rows"];
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0]["factor"], 1);
  EXPECT_EQ(rows[0]["distance_to_trained"], 0.0);  // m = 1, piecewise, its own scheme: the network itself
  EXPECT_EQ(rows[0]["test_error"], j["refinement"]["trained_test_error"]);
  EXPECT_EQ(rows[2]["stage_steps"], (std::vector<int64_t>{8, 5, 5}));  // depth 14: 2-2-2 steps, m = 4
  EXPECT_EQ(rows[2]["distance_to_finest"], 0.0);
  EXPECT_EQ(j["refinement"]["examples"], 64);
  // Every ODE step of the LM network has its spectrum: stage 1's two steps and one per later stage.
  const auto& steps = j["stability"]["steps"];
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0]["scheme"], "forward_euler (starting step)");
  EXPECT_EQ(steps[0]["z"].size(), 16u);  // 2 examples × 8 Ritz values
  for (const auto& s : steps) EXPECT_GE(s["inside"].get<double>(), 0.0);
  EXPECT_EQ(j["smoothness"]["depth"], 14);
  for (const char* f : {"ode.json", "ode.md", "refinement_distance_depth-14_s0.png", "refinement_error_depth-14_s0.png",
                        "spectra_depth-14_s0_stage1.png", "spectra_depth-14_s0_stage3.png", "increments_depth-14_s0.png"})
    EXPECT_TRUE(std::filesystem::exists(run + "/ode/" + f)) << f;
  // The experiment's report takes the analysis in, with its figures, and fits the sweep's depths.
  auto report = test::run_odenet("report " + dir_ / "results/sweep");
  ASSERT_EQ(report.status, 0) << report.output;
  const std::string md = test::read_text(dir_ / "results/sweep/report.md");
  EXPECT_NE(md.find("## The trained networks as ODEs"), std::string::npos) << md;
  EXPECT_NE(md.find("### depth-14_s0 as an ODE"), std::string::npos) << md;
  EXPECT_NE(md.find("](figures/ode_depth-14_s0_spectra_depth-14_s0_stage1.png)"), std::string::npos) << md;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "results/sweep/figures/ode_depth-14_s0_spectra_depth-14_s0_stage1.png"));
  EXPECT_NE(md.find("## Parameters against depth"), std::string::npos) << md;

  auto bad = test::run_odenet("ode " + run + " --schemes no_such_scheme --refine");
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_NE(bad.output.find("odenet: error: --schemes: /name: unknown scheme 'no_such_scheme'; registered: "), std::string::npos)
      << bad.output;
  auto factors = test::run_odenet("ode " + run + " --factors 1,x --refine");
  EXPECT_EQ(factors.status, 2);
  EXPECT_NE(factors.output.find("--factors: 'x' is not a whole number"), std::string::npos) << factors.output;
}

TEST_F(TrainedOde, DepthSweepFitsNormsAgainstDepth) {
  auto r = test::run_odenet("depth-sweep " + dir_ / "results/sweep" + " --out " + dir_ / "out --json");
  ASSERT_EQ(r.status, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["scaling"]["depths"], (std::vector<int64_t>{8, 14, 20}));
  EXPECT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["scaling"]["max_norm_exponent"]["points"], 3);
  EXPECT_EQ(j["scaling"]["max_increment_exponent"]["points"], 2);  // depth 8 has one step per stage: no increment
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out/depth_scaling_norms.png"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out/depth_scaling_increments.png"));
  // Per stage: stage 1 has steps at every depth, stages 2 and 3 from depth 14 (depth 8: an opening only).
  const auto& stages = j["scaling"]["stages"];
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0]["max_norm_exponent"]["points"], 3);
  EXPECT_EQ(stages[2]["max_norm_exponent"]["points"], 2);
  EXPECT_EQ(j["runs"][0]["stage_max_norm"].size(), 3u);
  auto one = test::run_odenet("depth-sweep " + dir_ / "results/sweep/depth-8_s0");
  EXPECT_EQ(one.status, 2);
  EXPECT_NE(one.output.find("have 1 depth(s); a fit against depth needs two or more"), std::string::npos) << one.output;
}

}  // namespace
}  // namespace odenet
