#include "analysis/significance.h"

#include <fmt/format.h>

#include <map>
#include <regex>

#include "core/error.h"

namespace odenet {
namespace {

// What must be equal for two rows to be compared: data, training protocol (but for depth
// refinement) and the depth the networks ended at.
std::string pairing_key(const TableRow& row, std::string& depth) {
  const auto& model = row.config.value("model", nlohmann::json::object());
  depth = row.refined ? row.depth : model.contains("depth") ? model["depth"].dump() : "-";
  nlohmann::json train = row.config.value("train", nlohmann::json());
  if (train.is_object()) train.erase("refine");
  return row.config.value("dataset", nlohmann::json()).dump() + "\n" + train.dump() + "\n" + depth;
}

std::string p_value(double p) { return p < 0.0001 ? "< 0.0001" : fmt::format("{:.4f}", p); }

}  // namespace

bool row_matches(const TableRow& row, const std::string& name) {
  if (name == "refined" || name == "unrefined") return row.refined == (name == "refined");
  const auto& model = row.config.value("model", nlohmann::json::object());
  const auto& scheme = model.value("scheme", nlohmann::json::object());
  if (scheme.is_object() && scheme.value("name", "") == name) return true;
  const std::string preset = model.value("preset", "");
  return !preset.empty() && (preset == name || std::regex_replace(preset, std::regex("[0-9]+$"), "") == name);
}

std::vector<ComparedPair> compare_rows(const std::vector<TableRow>& rows, const std::string& a, const std::string& b) {
  std::map<std::string, const TableRow*> side_a, side_b;
  std::vector<std::string> order;
  std::map<std::string, std::string> depths;
  for (const auto& row : rows) {
    std::string depth;
    const std::string key = pairing_key(row, depth);
    for (auto* side : {&side_a, &side_b}) {
      const std::string& name = side == &side_a ? a : b;
      if (!row_matches(row, name)) continue;
      if (side->count(key))
        throw DataError(fmt::format("--compare {}: rows '{}' and '{}' both match at depth {}; name presets instead",
                                    name, (*side)[key]->group, row.group, depth));
      (*side)[key] = &row;
      if (!depths.count(key)) order.push_back(key), depths[key] = depth;
    }
  }
  if (side_a.empty()) throw DataError("--compare: no row matches '" + a + "' (a scheme name or a preset)");
  if (side_b.empty()) throw DataError("--compare: no row matches '" + b + "' (a scheme name or a preset)");
  std::vector<ComparedPair> pairs;
  for (const auto& key : order) {
    if (!side_a.count(key) || !side_b.count(key)) continue;
    ComparedPair p;
    p.depth = depths[key];
    p.a = side_a[key];
    p.b = side_b[key];
    p.welch = welch_test(p.a->final_errors, p.b->final_errors);
    pairs.push_back(p);
  }
  if (pairs.empty())
    throw DataError("--compare " + a + " " + b + ": no pair of rows shares a data set, a training protocol and a depth");
  return pairs;
}

std::string format_comparison(const std::vector<ComparedPair>& pairs, const std::string& a, const std::string& b,
                              const std::string& format) {
  auto mean_std_text = [](const TableRow& r) {
    return r.runs > 1 ? fmt::format("{:.2f} ± {:.2f}", r.final_mean, r.final_std) : fmt::format("{:.2f}", r.final_mean);
  };
  std::string out;
  if (format == "csv") {
    out = "depth,a,b,a_runs,b_runs,a_final_mean,a_final_std,b_final_mean,b_final_std,difference,ci95_low,ci95_high,t,dof,p\n";
    for (const auto& p : pairs) {
      out += fmt::format("{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f}", p.depth, p.a->group, p.b->group, p.a->runs,
                         p.b->runs, p.a->final_mean, p.a->final_std, p.b->final_mean, p.b->final_std, p.welch.difference);
      if (p.welch.defined)
        out += fmt::format(",{:.4f},{:.4f},{:.4f},{:.3f},{:.6f}\n", p.welch.ci_low, p.welch.ci_high, p.welch.t, p.welch.dof, p.welch.p);
      else
        out += ",,,,,\n";
    }
    return out;
  }
  out = fmt::format("| depth | {} (A) | {} (B) | seeds A / B | A final error (%) | B final error (%) | B − A | 95 % CI of B − A | p (Welch) |\n",
                    a, b);
  out += "|---|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& p : pairs) {
    std::string ci = p.welch.defined ? fmt::format("[{:.2f}, {:.2f}]", p.welch.ci_low, p.welch.ci_high) : "n/a";
    std::string pv = p.welch.defined ? p_value(p.welch.p) : "n/a (" + p.welch.why_undefined + ")";
    out += fmt::format("| {} | {} | {} | {} / {} | {} | {} | {:+.2f} | {} | {} |\n", p.depth, p.a->group, p.b->group,
                       p.a->runs, p.b->runs, mean_std_text(*p.a), mean_std_text(*p.b), p.welch.difference, ci, pv);
  }
  return out;
}

}  // namespace odenet
