// One self-contained Markdown report for an experiment's result directory:
// the comparison table, training/test curves, test error against parameters,
// and, for LM runs, the learned k_n with the modified-equation coefficients.
#pragma once
#include <string>

namespace odenet {

/// Writes `<out>/report.md` and its figures under `<out>/figures/`; returns the report's path.
/// A directory without finished runs, or with runs of several experiments, is a DataError.
std::string write_report(const std::string& experiment_dir, const std::string& out_dir);

}  // namespace odenet
