// Comparison tables across runs: runs are grouped by their whole resolved
// config except the seed, and each group is one row with the mean ± sample
// standard deviation over its seeds.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace odenet {

/// A finished run read back from its directory.
struct RunRecord {
  std::string dir;
  nlohmann::json config;   ///< config.json
  nlohmann::json summary;  ///< summary.json
};

struct TableRow {
  std::string group;    ///< run id without its seed suffix
  std::string dataset, model, scheme;
  int64_t params = 0;
  long epochs = 0;
  int seeds = 0;
  double final_mean = 0, final_std = 0, best_mean = 0, best_std = 0, seconds_per_epoch = 0,
         images_per_second = 0;
};

/// Finds run directories (those holding config.json) under each of `dirs`.
/// Unfinished runs are skipped with a note in `skipped`; a damaged file is a DataError naming it.
std::vector<RunRecord> collect_runs(const std::vector<std::string>& dirs, std::vector<std::string>& skipped);

std::vector<TableRow> build_table(const std::vector<RunRecord>& runs);

std::string format_markdown(const std::vector<TableRow>& rows);
std::string format_csv(const std::vector<TableRow>& rows);

/// Sample mean and standard deviation (n − 1; 0 for a single value).
std::pair<double, double> mean_std(const std::vector<double>& values);

}  // namespace odenet
