#include "analysis/significance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
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

// Row b against row a at `depth`: Welch's test of their final errors over seeds.
ComparedPair compared(const std::string& depth, const TableRow& a, const TableRow& b) {
  ComparedPair p;
  p.depth = depth;
  p.a = &a;
  p.b = &b;
  p.welch = welch_test(a.final_errors, b.final_errors);
  return p;
}

// Holm's correction over the pairs, in place.
void correct_for_multiple_comparisons(std::vector<ComparedPair>& pairs) {
  std::vector<double> p;
  for (const auto& pair : pairs) p.push_back(pair.welch.defined ? pair.welch.p : std::nan(""));
  const auto adjusted = holm_adjust(p);
  for (size_t i = 0; i < pairs.size(); ++i) pairs[i].p_holm = adjusted[i];
}

}  // namespace

bool row_matches(const TableRow& row, const std::string& name) {
  // "refined" and "unrefined" name the runs trained by depth refinement and the others.
  static const EnumNames<bool> refinement_sides{{"refined", true}, {"unrefined", false}};
  if (const auto refined = find_enum(refinement_sides, name)) return row.refined == *refined;
  if (name == row.scheme || name == row.group) return true;
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
    pairs.push_back(compared(depths[key], *side_a[key], *side_b[key]));
  }
  if (pairs.empty())
    throw DataError("--compare " + a + " " + b + ": no pair of rows shares a data set, a training protocol and a depth");
  correct_for_multiple_comparisons(pairs);
  return pairs;
}

std::vector<ComparedPair> compare_with_baseline(const std::vector<TableRow>& rows, const std::string& baseline) {
  std::map<std::string, const TableRow*> base;
  for (const auto& row : rows) {
    if (!row_matches(row, baseline)) continue;
    std::string depth;
    const std::string key = pairing_key(row, depth);
    if (base.count(key))
      throw DataError(fmt::format("--baseline {}: rows '{}' and '{}' both match at depth {}; name a scheme label or a "
                                  "run group instead", baseline, base[key]->group, row.group, depth));
    base[key] = &row;
  }
  if (base.empty()) throw DataError("--baseline: no row matches '" + baseline + "' (a scheme, a run group or a preset)");
  std::vector<ComparedPair> pairs;
  for (const auto& row : rows) {
    std::string depth;
    const std::string key = pairing_key(row, depth);
    if (row_matches(row, baseline) || !base.count(key)) continue;
    pairs.push_back(compared(depth, *base[key], row));
  }
  correct_for_multiple_comparisons(pairs);
  return pairs;
}

std::string default_baseline(const std::vector<TableRow>& rows) {
  std::set<std::string> labels;
  for (const auto& row : rows) labels.insert(row.scheme);
  if (rows.empty() || labels.size() < 2) return "";
  const TableRow* first = &rows.front();
  for (const auto& row : rows)
    if (row.run_index >= 0 && (first->run_index < 0 || row.run_index < first->run_index)) first = &row;
  return first->scheme;
}

std::string format_comparison(const std::vector<ComparedPair>& pairs, const std::string& a, const std::string& b,
                              TableFormat format) {
  auto mean_std_text = [](const TableRow& r) {
    return r.runs > 1 ? fmt::format("{:.2f} ± {:.2f}", r.final_mean, r.final_std) : fmt::format("{:.2f}", r.final_mean);
  };
  std::string out;
  if (format == TableFormat::kCsv) {
    out = "depth,a,b,a_runs,b_runs,a_final_mean,a_final_std,b_final_mean,b_final_std,difference,ci95_low,ci95_high,t,dof,p,p_holm\n";
    for (const auto& p : pairs) {
      out += fmt::format("{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f}", p.depth, p.a->group, p.b->group, p.a->runs,
                         p.b->runs, p.a->final_mean, p.a->final_std, p.b->final_mean, p.b->final_std, p.welch.difference);
      if (p.welch.defined)
        out += fmt::format(",{:.4f},{:.4f},{:.4f},{:.3f},{:.6f},{:.6f}\n", p.welch.ci_low, p.welch.ci_high, p.welch.t,
                           p.welch.dof, p.welch.p, p.p_holm);
      else
        out += ",,,,,,\n";
    }
    return out;
  }
  const auto tests = std::count_if(pairs.begin(), pairs.end(), [](const ComparedPair& p) { return p.welch.defined; });
  out = fmt::format("| depth | {} (A) | {} (B) | seeds A / B | A final error (%) | B final error (%) | B − A | 95 % CI of B − A | "
                    "p (Welch) | p (Holm, {} test{}) |\n",
                    a, b, tests, tests == 1 ? "" : "s");
  out += "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& p : pairs) {
    std::string ci = p.welch.defined ? fmt::format("[{:.2f}, {:.2f}]", p.welch.ci_low, p.welch.ci_high) : "n/a";
    std::string pv = p.welch.defined ? p_value(p.welch.p) : "n/a (" + p.welch.why_undefined + ")";
    std::string holm = p.welch.defined ? p_value(p.p_holm) : "n/a";
    out += fmt::format("| {} | {} | {} | {} / {} | {} | {} | {:+.2f} | {} | {} | {} |\n", p.depth, p.a->group, p.b->group,
                       p.a->runs, p.b->runs, mean_std_text(*p.a), mean_std_text(*p.b), p.welch.difference, ci, pv, holm);
  }
  return out;
}

}  // namespace odenet
