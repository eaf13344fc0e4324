// A trained run treated as the ODE its scheme discretises:
//   - refinement: the network re-integrated with m·K steps of Δt = 1/m per stage under its own
//     scheme or others (architectures/depth_refinement.h), evaluated on the run's test images —
//     test error, and the distance of the logits to the finest solution with the fitted order;
//   - stability: at states the network visits, the dominant eigenvalues λ of each step's field
//     Jacobian by Arnoldi, z = λΔt against the stability region of that step (its learned k);
//   - smoothness in depth: ‖θ_{n+1} − θ_n‖_F / ‖θ_n‖_F per stage and parameter kind, and
//     max_n ‖θ_n‖, max_n ‖θ_{n+1} − θ_n‖ (Cohen et al. 2021), fitted against depth over a sweep.
#pragma once
#include <complex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/statistics.h"
#include "analysis/trained_model.h"
#include "architectures/depth_refinement.h"
#include "data/dataset.h"

namespace odenet {

/// The run's test images (the first `limit` of a fixed random subset; 0: all), normalised as the
/// run normalised them, and their labels.
struct RunTestSet {
  torch::Tensor images;  ///< float32 [N, C, H, W]
  torch::Tensor labels;  ///< int64 [N]
};
RunTestSet load_run_test_set(const TrainedModel& trained, int64_t limit);

/// Logits of `network` (eval mode, no gradients) on `images`, in batches.
torch::Tensor evaluate_logits(ClassifierImpl& network, const torch::Tensor& images, int64_t batch = 500);

struct RefinementRow {
  std::string scheme;               ///< a label: the scheme's name and its non-default parameters
  int64_t factor = 1;               ///< m
  double dt = 1;
  std::vector<int64_t> stage_steps; ///< steps per stage after refinement (openings included)
  int64_t params = 0;
  double test_error = 0;            ///< %
  double distance_to_finest = 0;    ///< ‖L_m − L_finest‖_F / ‖L_finest‖_F over the test images (0 for the finest)
  double distance_to_trained = 0;   ///< ‖L_m − L_trained‖_F / ‖L_trained‖_F
};

struct SchemeConvergence {
  std::string scheme;
  LineFit order;  ///< slope of log(distance to finest) against log Δt, over all m but the finest
};

struct RefinementStudy {
  std::string dir;
  std::string interpolation;
  int64_t examples = 0;
  double trained_test_error = 0;
  std::vector<RefinementRow> rows;
  std::vector<SchemeConvergence> convergence;
};

/// `schemes`: scheme objects (or names); "own" or an empty list means the run's scheme.
RefinementStudy refinement_study(const std::string& dir, const std::vector<nlohmann::json>& schemes,
                                 const std::vector<int64_t>& factors, DepthInterpolation interpolation, int64_t examples);

struct StepSpectrum {
  std::string name;                       ///< "stage2.block3"
  int stage = 0, step = 0;
  std::string scheme;                     ///< the step's kind: the run's scheme or a starting forward Euler step
  bool starter = false;                   ///< a forward Euler step that starts a multistep history
  bool learned_k = false;                 ///< the step has a learned k
  double k = 0;                           ///< the step's mean learned k (0 without one)
  std::vector<std::complex<double>> z;    ///< Ritz values × Δt over the sampled examples
  double inside = 0;                      ///< fraction of z inside the step's stability region
  double max_abs = 0, max_real = 0;       ///< max |z|, max Re z
  std::vector<std::complex<double>> boundary;  ///< the step's region boundary (rays)
};

struct StabilityStudy {
  std::string dir;
  int64_t examples = 0;
  int iterations = 0;
  std::vector<StepSpectrum> steps;
};

/// The Jacobian spectra of the trained network's steps at `examples` test images.
StabilityStudy stability_study(const std::string& dir, int64_t examples, int iterations, uint64_t seed = 0);

struct ParameterIncrements {
  int stage = 0;                  ///< 0-based
  std::string kind;               ///< parameter name within the step ("f.conv1.weight", "k", "all")
  std::vector<double> relative;   ///< ‖θ_{n+1} − θ_n‖_F / ‖θ_n‖_F for consecutive steps n of the stage
};

struct SmoothnessReport {
  std::string dir;
  int64_t depth = 0;              ///< the model's depth (its steps when it declares none)
  int64_t steps = 0;              ///< ODE steps over all stages (openings excluded)
  std::vector<ParameterIncrements> increments;
  /// Over all stages' steps, θ_n = all of step n's parameters: max_n ‖θ_n‖_F and max_n ‖θ_{n+1} − θ_n‖_F.
  double max_norm = 0, max_increment = 0;
  /// The same per stage (0 where a stage has no step, or no two, after its opening).
  std::vector<double> stage_max_norm, stage_max_increment;
};

/// The smoothness of a trained (or any staged) network's parameters in depth.
SmoothnessReport smoothness_in_depth(const StagedNetworkImpl& network);
SmoothnessReport smoothness_study(const std::string& dir);

struct DepthScaling {
  size_t runs = 0;
  std::vector<int64_t> depths;
  LineFit norm_exponent;       ///< slope of log max_n ‖θ_n‖ against log L (−β)
  LineFit increment_exponent;  ///< slope of log max_n ‖θ_{n+1} − θ_n‖ against log L
  /// Per stage (stages differ in width, so the overall maximum is the widest stage's): over the
  /// runs whose stage has steps (increments: two or more) after its opening.
  std::vector<LineFit> stage_norm_exponents, stage_increment_exponents;
};
/// Cohen et al.'s fits over runs of several depths (L = the model's depth).
DepthScaling depth_scaling(const std::vector<SmoothnessReport>& runs);

nlohmann::json to_json(const RefinementStudy& s);
nlohmann::json to_json(const StabilityStudy& s);
nlohmann::json to_json(const SmoothnessReport& s);
nlohmann::json to_json(const DepthScaling& s);

std::string format_refinement(const RefinementStudy& s);
std::string format_stability(const StabilityStudy& s);
std::string format_smoothness(const SmoothnessReport& s);
std::string format_depth_scaling(const DepthScaling& d, const std::vector<SmoothnessReport>& runs);

/// Plots into `dir`: refinement_<run> (error and distance against m per scheme, log–log, fitted
/// slopes in the legend), spectra_<run>_stage<k> (z over each step's stability region, a figure per
/// stage), increments_<run>.
/// Each returns the plot's base path ("" when there is nothing to draw).
std::string plot_refinement(const RefinementStudy& s, const std::string& dir, const std::string& run);
std::vector<std::string> plot_stability(const StabilityStudy& s, const std::string& dir, const std::string& run);
std::string plot_increments(const SmoothnessReport& s, const std::string& dir, const std::string& run);
/// depth_scaling_norms and depth_scaling_increments: per stage, the runs' maxima against depth with the fitted lines.
std::string plot_depth_scaling(const std::vector<SmoothnessReport>& runs, const DepthScaling& d, const std::string& dir);

}  // namespace odenet
