// One self-contained Markdown report for an experiment's result directory:
// the comparison table, the significance of every scheme against a baseline
// over seeds (Holm-corrected), mean training/test curves per group, test error against parameters
// beside the published figures, and, for LM runs, the learned k_n with the
// modified-equation coefficients.
#pragma once
#include <string>

namespace odenet {

struct ReportOptions {
  /// Compare these two schemes or presets row by row (B − A, 95 % CI, Welch p, Holm's p).
  std::string compare_a, compare_b;
  /// Otherwise every other scheme and depth against this one (a scheme label, run group or
  /// preset); empty: the scheme of the experiment's first run (default_baseline).
  std::string baseline;
  /// The command that made the report, recorded in its header.
  std::string command;
};

/// Writes `<out>/report.md` and its figures under `<out>/figures/`; returns the report's path.
/// A directory without finished runs, or with runs of several experiments, is a DataError.
std::string write_report(const std::string& experiment_dir, const std::string& out_dir,
                         const ReportOptions& options = {});

}  // namespace odenet
