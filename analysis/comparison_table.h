// Comparison tables across runs: runs are grouped (by default by their whole
// resolved config except the seed; or by chosen config fields), and each group
// is one row with the mean ± sample standard deviation over its runs.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace odenet {

/// A finished run read back from its directory.
struct RunRecord {
  std::string dir;
  nlohmann::json config;   ///< config.json
  nlohmann::json summary;  ///< summary.json
};

struct TableOptions {
  /// Config fields (dotted paths, e.g. "model.preset") that define a row; empty: everything but the seed.
  std::vector<std::string> by;
  /// Order rows by a column ("final", "best", "params", "macs", "seconds", "memory") or a config field.
  std::string sort;
  /// Allow runs of several experiments in one table.
  bool mixed = false;
  /// Add the training time (s, summed over epochs) until the test error first reaches this (%).
  std::optional<double> time_to;
};

struct TableRow {
  std::string group;  ///< run id without its seed suffix, or the --by values
  std::string dataset, model, scheme;
  /// The depth the group's networks ended at (a run trained by depth refinement: its final depth;
  /// "-" for layouts without a depth).
  std::string depth = "-";
  bool refined = false;  ///< trained by depth refinement (train.refine)
  /// The position of the group's first run in its experiment (summary.json's "run_index"); -1:
  /// a run written before odenet recorded it.
  int64_t run_index = -1;
  int64_t params = 0, macs = 0;
  long epochs = 0;
  int runs = 0;
  double final_mean = 0, final_std = 0, best_mean = 0, best_std = 0;
  /// Final top-5 test error (%) over the runs, when every run recorded one (more than 5 classes).
  std::optional<std::pair<double, double>> final_top5;
  std::vector<double> final_errors;  ///< per run, in directory order
  std::vector<std::string> dirs;     ///< the runs' directories, in the same order
  double seconds_per_epoch = 0, images_per_second = 0, peak_memory_mib = 0;
  std::optional<double> reference;  ///< published test error declared by the experiment
  /// With TableOptions::time_to: per run, the seconds of training until the test error first
  /// reached it (NaN: never reached).
  std::optional<double> time_target;
  std::vector<double> seconds_to_target;
  nlohmann::json config;            ///< config.json of the group's first run
};

/// Reads a JSON file of a run directory; a missing or malformed file is a DataError naming it.
nlohmann::json read_run_json(const std::string& path);

/// Finds run directories (those holding config.json) under each of `dirs`.
/// Unfinished runs are skipped with a note in `skipped`; a damaged file is a DataError naming it.
/// No finished run is a DataError (listing what was left out) unless `allow_none`.
std::vector<RunRecord> collect_runs(const std::vector<std::string>& dirs, std::vector<std::string>& skipped,
                                    bool allow_none = false);

/// Groups and orders runs; runs of several experiments are an error unless `options.mixed`.
std::vector<TableRow> build_table(const std::vector<RunRecord>& runs, const TableOptions& options = {});

enum class TableFormat { kMarkdown, kCsv, kLatex };
const EnumNames<TableFormat>& table_format_names();  ///< markdown, csv, latex (booktabs)
std::string format_table(const std::vector<TableRow>& rows, TableFormat format);

/// The columns a table can be sorted by (besides config fields).
enum class SortColumn { kFinal, kBest, kParams, kMacs, kSeconds, kMemory };
const EnumNames<SortColumn>& sort_column_names();  ///< final, best, params, macs, seconds, memory

/// Sample mean and standard deviation (n − 1; 0 for a single value).
std::pair<double, double> mean_std(const std::vector<double>& values);

}  // namespace odenet
