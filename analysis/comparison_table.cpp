#include "analysis/comparison_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>

#include "core/error.h"
#include "core/json_reader.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

nlohmann::json read_run_file(const std::string& path) {
  try {
    return read_json_file(path);
  } catch (const ConfigError& e) {
    throw DataError(e.what());
  }
}

std::string model_label(const nlohmann::json& model) {
  if (model.contains("preset")) return model["preset"].get<std::string>();
  return fmt::format("{}-{}-{}", model.value("layout", "?"), model.value("activation", "?"), model.value("depth", 0));
}

std::string scheme_label(const nlohmann::json& scheme) {
  std::string label = scheme.value("name", "?");
  if (scheme.contains("k")) label += fmt::format(" (k={})", scheme["k"].dump());
  return label;
}

std::string with_std(double mean, double std, int n) {
  return n > 1 ? fmt::format("{:.2f} ± {:.2f}", mean, std) : fmt::format("{:.2f}", mean);
}

}  // namespace

std::pair<double, double> mean_std(const std::vector<double>& v) {
  if (v.empty()) return {0, 0};
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  if (v.size() < 2) return {mean, 0};
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1))};
}

std::vector<RunRecord> collect_runs(const std::vector<std::string>& dirs, std::vector<std::string>& skipped) {
  std::vector<std::string> run_dirs;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir)) throw DataError(dir + ": no such directory");
    if (fs::exists(dir + "/config.json")) run_dirs.push_back(dir);
    for (const auto& entry : fs::recursive_directory_iterator(dir))
      if (entry.is_directory() && fs::exists(entry.path() / "config.json")) run_dirs.push_back(entry.path().string());
  }
  std::sort(run_dirs.begin(), run_dirs.end());
  run_dirs.erase(std::unique(run_dirs.begin(), run_dirs.end()), run_dirs.end());
  std::vector<RunRecord> runs;
  for (const auto& dir : run_dirs) {
    if (!fs::exists(dir + "/summary.json")) {
      skipped.push_back(dir + ": unfinished or in progress (no summary.json), left out");
      continue;
    }
    RunRecord r{dir, read_run_file(dir + "/config.json"), read_run_file(dir + "/summary.json")};
    for (const char* key : {"final_test_error", "best_test_error", "params", "epochs", "mean_epoch_seconds"})
      if (!r.summary.contains(key) || !r.summary[key].is_number())
        throw DataError(dir + "/summary.json: missing or non-numeric \"" + key + "\"");
    for (const char* key : {"dataset", "model", "seed"})
      if (!r.config.contains(key)) throw DataError(dir + "/config.json: missing \"" + key + "\"");
    runs.push_back(std::move(r));
  }
  if (runs.empty()) throw DataError("no finished runs under " + fmt::format("{}", fmt::join(dirs, ", ")));
  return runs;
}

std::vector<TableRow> build_table(const std::vector<RunRecord>& runs) {
  std::map<std::string, std::vector<const RunRecord*>> groups;
  std::vector<std::string> order;
  for (const auto& r : runs) {
    nlohmann::json key = r.config;
    key.erase("seed");
    std::string k = key.dump();
    if (!groups.count(k)) order.push_back(k);
    groups[k].push_back(&r);
  }
  std::vector<TableRow> rows;
  for (const auto& k : order) {
    const auto& members = groups[k];
    const auto& first = *members.front();
    TableRow row;
    row.group = std::regex_replace(fs::path(first.dir).filename().string(), std::regex("_?s[0-9]+(-[0-9]+)?$"), "");
    if (row.group.empty()) row.group = "-";
    row.dataset = first.config["dataset"].value("name", "?");
    row.model = model_label(first.config["model"]);
    row.scheme = scheme_label(first.config["model"].value("scheme", nlohmann::json::object()));
    row.params = first.summary["params"].get<int64_t>();
    row.epochs = first.summary["epochs"].get<long>();
    row.seeds = static_cast<int>(members.size());
    std::vector<double> finals, bests, seconds, rates;
    for (const auto* m : members) {
      finals.push_back(m->summary["final_test_error"].get<double>());
      bests.push_back(m->summary["best_test_error"].get<double>());
      seconds.push_back(m->summary["mean_epoch_seconds"].get<double>());
      rates.push_back(m->summary.value("mean_images_per_second", 0.0));
    }
    std::tie(row.final_mean, row.final_std) = mean_std(finals);
    std::tie(row.best_mean, row.best_std) = mean_std(bests);
    row.seconds_per_epoch = mean_std(seconds).first;
    row.images_per_second = mean_std(rates).first;
    rows.push_back(row);
  }
  return rows;
}

std::string format_markdown(const std::vector<TableRow>& rows) {
  std::string out =
      "| run | dataset | model | scheme | params | epochs | seeds | final test error (%) | best test error (%) | s/epoch "
      "| train img/s |\n"
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows)
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1f} | {:.0f} |\n", r.group, r.dataset,
                       r.model, r.scheme, r.params, r.epochs, r.seeds, with_std(r.final_mean, r.final_std, r.seeds),
                       with_std(r.best_mean, r.best_std, r.seeds), r.seconds_per_epoch, r.images_per_second);
  return out;
}

std::string format_csv(const std::vector<TableRow>& rows) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    return "\"" + std::regex_replace(s, std::regex("\""), "\"\"") + "\"";
  };
  std::string out =
      "run,dataset,model,scheme,params,epochs,seeds,final_test_error_mean,final_test_error_std,"
      "best_test_error_mean,best_test_error_std,seconds_per_epoch,images_per_second\n";
  for (const auto& r : rows)
    out += fmt::format("{},{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.3f},{:.1f}\n", quote(r.group),
                       quote(r.dataset), quote(r.model), quote(r.scheme), r.params, r.epochs, r.seeds, r.final_mean,
                       r.final_std, r.best_mean, r.best_std, r.seconds_per_epoch, r.images_per_second);
  return out;
}

}  // namespace odenet
