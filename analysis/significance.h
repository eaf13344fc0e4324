// Schemes (or presets) side by side, row by row: each row of side A is paired
// with the rows of side B that differ from it only in the model (same data set,
// training protocol and depth), and the difference of their final test errors
// over seeds gets its confidence interval, Welch p-value and, over all the
// comparisons made at once, its Holm-corrected p-value.
#pragma once
#include <string>
#include <vector>

#include "analysis/comparison_table.h"
#include "analysis/statistics.h"

namespace odenet {

struct ComparedPair {
  std::string depth;             ///< the pairing key shown to the reader ("20", or "-" without a depth)
  const TableRow* a = nullptr;
  const TableRow* b = nullptr;
  WelchResult welch;             ///< of b − a
  double p_holm = 0;             ///< Welch's p corrected over every pair of the comparison (Holm); NaN: undefined
};

/// Whether `row` is on the side named `name`: its scheme's name or label ("runge_kutta
/// tableau=midpoint"), its group (run id without the seed), its preset, its preset without the
/// trailing depth digits ("lm_resnet" for lm_resnet56), or "refined" / "unrefined" (trained by depth
/// refinement or not; such rows pair at the depth they ended at).
bool row_matches(const TableRow& row, const std::string& name);

/// Pairs the rows of `a` with those of `b` (a DataError for a name that matches no row, or two
/// rows of one side at one key).
std::vector<ComparedPair> compare_rows(const std::vector<TableRow>& rows, const std::string& a, const std::string& b);

/// Pairs the baseline's rows with every other row at the same key (every other scheme and depth
/// against one baseline); a DataError when no row matches `baseline`.
std::vector<ComparedPair> compare_with_baseline(const std::vector<TableRow>& rows, const std::string& baseline);

/// The default baseline: the scheme label of the row holding the experiment's first run
/// (summary.json's "run_index"; for runs written before it, the first row); empty when the rows
/// use one scheme label only (nothing to compare).
std::string default_baseline(const std::vector<TableRow>& rows);

/// Markdown (or "csv") table: per pair the two means ± std, b − a, its 95 % CI, p and Holm's p
/// ("n/a" where fewer than two seeds leave nothing to test).
std::string format_comparison(const std::vector<ComparedPair>& pairs, const std::string& a, const std::string& b,
                              TableFormat format);

}  // namespace odenet
