// Modified-equation analysis of a finished run (PAPER.md §3): the learned
// k_n of each LM block with the coefficients of
//   (1 + k_n) u̇ + (1 − k_n)(Δt/2) ü = f(u)   (Δt = 1 in a network),
// the blocks outside the zero-stability range −1 < k ≤ 1, and the leading
// term of the modified equation any scheme's metadata implies.
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
  double velocity = 0;     ///< 1 + k_n, the coefficient of u̇
  double mass = 0;         ///< (1 − k_n) Δt / 2, the coefficient of ü
  bool zero_stable = true; ///< −1 < k_n ≤ 1 (for every channel)
};

/// The learned k_n as a Markdown table (block, depth, k_n, 1 + k_n, (1 − k_n)Δt/2, zero-stable);
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
  /// LM runs: an integrator with the network's mean k̄ on 'decay' against forward
  /// Euler: measured global-error ratio and the predicted (1 − k̄)/(1 + k̄).
  double mean_k = 0, measured_error_ratio = 0, predicted_error_ratio = 0;
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
