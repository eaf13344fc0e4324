// Modified-equation analysis of a finished run (PAPER.md §3): the learned
// coefficient of each step with its meaning as the run's scheme gives it (for
// LM-ResNet: (1 + k_n) u̇ + (1 − k_n)(Δt/2) ü = f(u), Δt = 1 in a network, and
// the zero-stability range −1 < k ≤ 1), and the leading term of the modified
// equation any scheme's metadata implies.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "discretizations/scheme.h"

namespace odenet {

struct BlockCoefficient {
  std::string block;       ///< module path, e.g. "stage2.block3"
  int depth = 0;           ///< 1-based index among the network's steps
  double k = 0;            ///< per-channel k: the mean over channels
  double k_min = 0, k_max = 0;  ///< the range over channels (= k for one k per step)
  /// The modified equation's coefficients at k (the scheme's LearnedCoefficientMeaning::terms).
  std::vector<CoefficientTerm> terms;
  bool zero_stable = true; ///< for every channel, as the scheme judges it
  std::string stable_range;  ///< the zero-stable values in words (e.g. "−1 < k ≤ 1")
};

/// The learned coefficients as a Markdown table (block, depth, k_n, the scheme's terms, zero-stable);
/// a per-channel k shows its mean and its range over channels.
std::string format_k_table(const std::vector<BlockCoefficient>& blocks);

struct RunAnalysis {
  std::string dir;
  SchemeInfo scheme;
  nlohmann::json scheme_config;
  std::string modified_equation;  ///< leading term, from the metadata
  std::vector<BlockCoefficient> blocks;
  /// The network's stages: the depth of each one's first step and its name (module path, "stage2").
  std::vector<std::pair<int, std::string>> stages;
  /// Runs with learned coefficients: the scheme's integrator with the mean k̄ fixed, on 'decay',
  /// against the family's member without it (LM: forward Euler): measured global-error ratio and
  /// the predicted one (from the two schemes' error constants; LM: (1 − k̄)/(1 + k̄)).
  double mean_k = 0, measured_error_ratio = 0, predicted_error_ratio = 0;
  /// From the meaning: "an LM integrator", "forward Euler", "(1 − k)/(1 + k)".
  std::string fixed_name, without_name, ratio_formula;
  std::vector<double> stability_bounds;     ///< where zero-stability ends (the plot draws them)
  /// Integrator schemes: the global error constant C in e(t1) ≈ C Δt^p measured on
  /// `error_problem` (decay, or oscillator for partitioned schemes) at 1000 steps, and
  /// the predicted one where theory gives it (forward Euler on decay: e^{-1}/2; −1: unknown).
  std::string error_problem;
  double measured_error_constant = -1, predicted_error_constant = -1;
};

nlohmann::json to_json(const RunAnalysis& a);

/// Reads config.json, summary.json and checkpoint.pt of a finished run; a
/// missing or unfinished run is a DataError that says what is missing.
RunAnalysis analyze_run(const std::string& dir);

/// Plots the learned k_n against depth of one or more runs (seeds overlaid, one colour each,
/// labelled by `runs`' first), the y range scaled to the data, the zero-stability bounds
/// (−1 < k ≤ 1) drawn where they fall in it, stage boundaries dashed (PNG + SVG at `base`).
void plot_k_by_depth(const std::vector<std::pair<std::string, RunAnalysis>>& runs, const std::string& title,
                     const std::string& base);

/// The leading term of the modified equation of a scheme (from its metadata).
std::string modified_equation(const SchemeInfo& info);

}  // namespace odenet
