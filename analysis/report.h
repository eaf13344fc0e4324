// One self-contained Markdown report for an experiment's result directory:
// the comparison table, the significance of one scheme against another over
// seeds, mean training/test curves per group, test error against parameters
// beside the published figures, and, for LM runs, the learned k_n with the
// modified-equation coefficients.
#pragma once
#include <string>

namespace odenet {

struct ReportOptions {
  /// Compare these two schemes or presets row by row (B − A, 95 % CI, Welch p). Empty: when
  /// the runs use exactly two schemes, those (forward_euler first where present).
  std::string compare_a, compare_b;
};

/// Writes `<out>/report.md` and its figures under `<out>/figures/`; returns the report's path.
/// A directory without finished runs, or with runs of several experiments, is a DataError.
std::string write_report(const std::string& experiment_dir, const std::string& out_dir,
                         const ReportOptions& options = {});

}  // namespace odenet
