#include "analysis/comparison_table.h"

#include "architectures/model_options.h"
#include "architectures/presets.h"
#include "discretizations/plugin_loader.h"
#include "discretizations/scheme.h"
#include "training/trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/json_reader.h"
#include "training/run_directory.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

// A preset's name with the options that differ from the preset's own ("resnet20 depth=14"); a
// model of no preset by its layout, activation and depth.
std::string model_label(const nlohmann::json& model) {
  if (model.contains("preset")) {
    std::string label = model["preset"].get<std::string>();
    nlohmann::json preset;
    try {
      preset = to_json(preset_options(label));
    } catch (const Error&) {  // a preset this build lacks: labelled by its name
      return label;
    }
    for (const auto& [key, value] : model.items())
      if (key != "scheme" && key != "preset" && preset.value(key, nlohmann::json()) != value)
        label += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    return label;
  }
  std::string label = fmt::format("{}-{}", model.value("layout", "?"), model.value("activation", "?"));
  return model.contains("depth") ? fmt::format("{}-{}", label, model["depth"].get<long>()) : label;
}


const nlohmann::json* field(const nlohmann::json& config, const std::string& dotted) {
  const nlohmann::json* at = &config;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at;
}

// One column: its header, its CSV header(s), and how a row fills it.
struct Column {
  std::string header;
  std::vector<std::string> csv;
  bool numeric;
  std::function<std::string(const TableRow&, TableFormat format)> cell;
  std::function<std::vector<std::string>(const TableRow&)> csv_cells;
};

std::string with_std(double mean, double std, int n, TableFormat format) {
  if (n < 2) return fmt::format("{:.2f}", mean);
  return fmt::format("{:.2f} {} {:.2f}", mean, format == TableFormat::kLatex ? "$\\pm$" : "±", std);
}

std::vector<Column> columns(bool any_reference, bool any_top5) {
  auto text = [](std::function<std::string(const TableRow&)> get) {
    return Column{"", {}, false, [get](const TableRow& r, TableFormat) { return get(r); },
                  [get](const TableRow& r) { return std::vector<std::string>{get(r)}; }};
  };
  // Values <= 0 are "not recorded" (summaries written before a field existed): "–", or empty in CSV.
  auto number = [](std::function<double(const TableRow&)> get, const char* display, const char* csv) {
    return Column{"", {}, true,
                  [=](const TableRow& r, TableFormat) {
                    return get(r) > 0 ? fmt::format(fmt::runtime(display), get(r)) : std::string("–");
                  },
                  [=](const TableRow& r) {
                    return std::vector<std::string>{get(r) > 0 ? fmt::format(fmt::runtime(csv), get(r)) : std::string()};
                  }};
  };
  auto mean_column = [](std::function<std::pair<double, double>(const TableRow&)> get) {
    return Column{"", {}, true,
                  [=](const TableRow& r, TableFormat format) {
                    auto [m, s] = get(r);
                    return with_std(m, s, r.runs, format);
                  },
                  [=](const TableRow& r) {
                    auto [m, s] = get(r);
                    return std::vector<std::string>{fmt::format("{:.4f}", m), fmt::format("{:.4f}", s)};
                  }};
  };
  std::vector<std::pair<std::pair<std::string, std::vector<std::string>>, Column>> spec{
      {{"run", {"run"}}, text([](const TableRow& r) { return r.group; })},
      {{"dataset", {"dataset"}}, text([](const TableRow& r) { return r.dataset; })},
      {{"model", {"model"}}, text([](const TableRow& r) { return r.model; })},
      {{"scheme", {"scheme"}}, text([](const TableRow& r) { return r.scheme; })},
      {{"params", {"params"}}, number([](const TableRow& r) { return double(r.params); }, "{:.0f}", "{:.0f}")},
      {{"MACs (M)", {"macs"}}, number([](const TableRow& r) { return r.macs / 1e6; }, "{:.1f}", "{:.6f}")},
      {{"epochs", {"epochs"}}, number([](const TableRow& r) { return double(r.epochs); }, "{:.0f}", "{:.0f}")},
      {{"runs", {"runs"}}, number([](const TableRow& r) { return double(r.runs); }, "{:.0f}", "{:.0f}")},
      {{"final test error (%)", {"final_test_error_mean", "final_test_error_std"}},
       mean_column([](const TableRow& r) { return std::pair{r.final_mean, r.final_std}; })},
      {{"best test error (%)", {"best_test_error_mean", "best_test_error_std"}},
       mean_column([](const TableRow& r) { return std::pair{r.best_mean, r.best_std}; })},
      {{"s/epoch", {"seconds_per_epoch"}}, number([](const TableRow& r) { return r.seconds_per_epoch; }, "{:.1f}", "{:.3f}")},
      {{"train img/s", {"images_per_second"}}, number([](const TableRow& r) { return r.images_per_second; }, "{:.0f}", "{:.1f}")},
      {{"peak memory (MiB)", {"peak_memory_mib"}}, number([](const TableRow& r) { return r.peak_memory_mib; }, "{:.0f}", "{:.1f}")},
  };
  if (any_top5) {  // data sets with more than 5 classes; "–" for a row whose runs did not all record it
    const auto best = std::find_if(spec.begin(), spec.end(), [](const auto& c) { return c.first.first == "best test error (%)"; });
    spec.insert(best + 1, {{"final top-5 error (%)", {"final_test_top5_error_mean", "final_test_top5_error_std"}},
                           Column{"", {}, true,
                                  [](const TableRow& r, TableFormat format) {
                                    return r.final_top5 ? with_std(r.final_top5->first, r.final_top5->second, r.runs, format)
                                                        : std::string("–");
                                  },
                                  [](const TableRow& r) {
                                    if (!r.final_top5) return std::vector<std::string>{"", ""};
                                    return std::vector<std::string>{fmt::format("{:.4f}", r.final_top5->first),
                                                                    fmt::format("{:.4f}", r.final_top5->second)};
                                  }}});
  }
  if (any_reference) {
    auto ref = [](const TableRow& r) { return r.reference ? fmt::format("{:.2f}", *r.reference) : std::string("–"); };
    spec.push_back({{"reference (%)", {"reference"}},
                    Column{"", {}, true, [ref](const TableRow& r, TableFormat) { return ref(r); },
                           [](const TableRow& r) {
                             return std::vector<std::string>{r.reference ? fmt::format("{:.4f}", *r.reference) : ""};
                           }}});
  }
  std::vector<Column> out;
  for (auto& [names, column] : spec) {
    column.header = names.first;
    column.csv = names.second;
    out.push_back(column);
  }
  return out;
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  return "\"" + std::regex_replace(s, std::regex("\""), "\"\"") + "\"";
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string("_%&#$").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

// The value a row is sorted by: one of its columns, or else the config field `key`.
double sort_key(const TableRow& r, std::optional<SortColumn> column, const std::string& key) {
  if (column) switch (*column) {
      case SortColumn::kFinal: return r.final_mean;
      case SortColumn::kBest: return r.best_mean;
      case SortColumn::kParams: return double(r.params);
      case SortColumn::kMacs: return double(r.macs);
      case SortColumn::kSeconds: return r.seconds_per_epoch;
      case SortColumn::kMemory: return r.peak_memory_mib;
    }
  const auto* v = field(r.config, key);
  return v && v->is_number() ? v->get<double>() : 0.0;
}

}  // namespace

nlohmann::json read_run_json(const std::string& path) {
  try {
    return read_json_file(path);
  } catch (const ConfigError& e) {
    throw DataError(e.what());
  }
}

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

std::vector<RunRecord> collect_runs(const std::vector<std::string>& dirs, std::vector<std::string>& skipped,
                                    bool allow_none) {
  std::vector<RunDirectory> run_dirs;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir)) throw DataError(dir + ": no such directory");
    for (auto& run_dir : run_directories_under(dir)) run_dirs.push_back(std::move(run_dir));
  }
  std::sort(run_dirs.begin(), run_dirs.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  run_dirs.erase(std::unique(run_dirs.begin(), run_dirs.end(), [](const auto& a, const auto& b) { return a.path() == b.path(); }),
                 run_dirs.end());
  std::vector<RunRecord> runs;
  for (const auto& run_dir : run_dirs) {
    const std::string& dir = run_dir.path();
    if (!run_dir.finished()) {
      RunState state = run_dir.state();
      skipped.push_back(state.status == RunStatus::kFailed
                            ? dir + ": failed (" + state.reason + "), left out of the means"
                            : fmt::format("{}: {} after {} of {} epochs (no summary.json), left out", dir,
                                          run_status_name(state.status), state.epochs_done, state.epochs));
      continue;
    }
    RunRecord r{dir, read_run_json(run_dir.config_path()), read_run_json(run_dir.summary_path())};
    load_recorded_plugins(r.config, run_dir.config_path(), scheme_registry());  // the tables label its scheme
    for (const char* key : {"final_test_error", "best_test_error", "params", "epochs", "mean_epoch_seconds"})
      if (!r.summary.contains(key) || !r.summary[key].is_number())
        throw DataError(dir + "/summary.json: missing or non-numeric \"" + key + "\"");
    for (const char* key : {"dataset", "model", "seed"})
      if (!r.config.contains(key)) throw DataError(dir + "/config.json: missing \"" + key + "\"");
    runs.push_back(std::move(r));
  }
  if (runs.empty() && !allow_none)
    throw DataError(fmt::format("no finished runs under {}{}", fmt::join(dirs, ", "),
                                skipped.empty() ? "" : fmt::format(" ({} left out: {})", skipped.size(), fmt::join(skipped, "; "))));
  return runs;
}

std::vector<TableRow> build_table(const std::vector<RunRecord>& runs, const TableOptions& options) {
  std::set<std::string> experiments;
  for (const auto& r : runs) experiments.insert(r.config.value("experiment", "?"));
  if (experiments.size() > 1 && !options.mixed)
    throw DataError(fmt::format("runs of several experiments ({}): pass one experiment's directory, or --mixed to "
                                "compare them in one table",
                                fmt::join(experiments, ", ")));
  std::map<std::string, std::vector<const RunRecord*>> groups;
  std::map<std::string, std::string> labels;
  std::vector<std::string> order;
  for (const auto& r : runs) {
    std::string key, label;
    if (options.by.empty()) {
      nlohmann::json rest = r.config;
      rest.erase("seed");
      rest.erase("format_version");  // the config file's format, not the run
      key = rest.dump();
      label = std::regex_replace(fs::path(r.dir).filename().string(), std::regex("_?s[0-9]+(-[0-9]+)?$"), "");
      if (label.empty()) label = r.config.value("experiment", "");  // a run of no sweep: its experiment's name
    } else {
      for (const auto& f : options.by) {
        const auto* v = field(r.config, f);
        if (!v) throw DataError(r.dir + "/config.json: no field \"" + f + "\" to group by");
        key += v->dump() + "\n";
        label += (label.empty() ? "" : ", ") + (v->is_string() ? v->get<std::string>() : v->dump());
      }
    }
    if (!groups.count(key)) order.push_back(key), labels[key] = label.empty() ? "-" : label;
    groups[key].push_back(&r);
  }
  std::vector<TableRow> rows;
  for (const auto& k : order) {
    const auto& members = groups[k];
    const auto& first = *members.front();
    TableRow row;
    row.group = labels[k];
    row.config = first.config;
    row.dataset = first.config["dataset"].value("name", "?");
    row.model = model_label(first.config["model"]);
    if (first.config["model"].contains("depth")) row.depth = first.config["model"]["depth"].dump();
    if (first.summary.contains("refined")) {  // trained by depth refinement: the depth it ended at
      row.refined = true;
      row.depth = first.summary["refined"].value("depth", nlohmann::json(0)).dump();
      row.model += " refined to " + row.depth;
    }
    row.scheme = scheme_label(first.config["model"].value("scheme", nlohmann::json::object()));
    row.params = first.summary["params"].get<int64_t>();
    row.macs = first.summary.value("macs_per_image", int64_t{0});
    row.epochs = first.summary["epochs"].get<long>();
    for (const auto* m : members)
      if (m->summary.contains("run_index") && m->summary["run_index"].is_number_integer())
        row.run_index = row.run_index < 0 ? m->summary["run_index"].get<int64_t>()
                                          : std::min(row.run_index, m->summary["run_index"].get<int64_t>());
    row.runs = static_cast<int>(members.size());
    if (first.summary.contains("reference") && first.summary["reference"].is_number())
      row.reference = first.summary["reference"].get<double>();
    std::vector<double> finals, bests, seconds, rates, memory;
    for (const auto* m : members) {
      finals.push_back(m->summary["final_test_error"].get<double>());
      bests.push_back(m->summary["best_test_error"].get<double>());
      seconds.push_back(m->summary["mean_epoch_seconds"].get<double>());
      rates.push_back(m->summary.value("mean_images_per_second", 0.0));
      memory.push_back(m->summary.value("peak_memory_mib", 0.0));
    }
    if (options.time_to) {  // time to accuracy: the epochs' wall time until the test error first reaches the target
      row.time_target = options.time_to;
      for (const auto* m : members) {
        double elapsed = 0, reached = std::nan("");
        for (const auto& e : read_metrics_file(RunDirectory(m->dir).metrics_path())) {
          elapsed += e.epoch_seconds;
          if (e.test_error <= *options.time_to) {
            reached = elapsed;
            break;
          }
        }
        row.seconds_to_target.push_back(reached);
      }
    }
    if (std::all_of(members.begin(), members.end(), [](const auto* m) { return m->summary.contains("final_test_top5_error"); })) {
      std::vector<double> top5;
      for (const auto* m : members) top5.push_back(m->summary["final_test_top5_error"].get<double>());
      row.final_top5 = mean_std(top5);
    }
    row.final_errors = finals;
    for (const auto* m : members) row.dirs.push_back(m->dir);
    std::tie(row.final_mean, row.final_std) = mean_std(finals);
    std::tie(row.best_mean, row.best_std) = mean_std(bests);
    row.seconds_per_epoch = mean_std(seconds).first;
    row.images_per_second = mean_std(rates).first;
    row.peak_memory_mib = *std::max_element(memory.begin(), memory.end());
    rows.push_back(row);
  }
  if (!options.sort.empty()) {
    const auto column = find_enum(sort_column_names(), options.sort);
    if (!column &&
        std::none_of(rows.begin(), rows.end(), [&](const TableRow& r) { return field(r.config, options.sort) != nullptr; }))
      throw ConfigError("--sort: '" + options.sort +
                        "' is not one of final, best, params, macs, seconds, memory, nor a config field of these runs");
    std::stable_sort(rows.begin(), rows.end(), [&](const TableRow& a, const TableRow& b) {
      return sort_key(a, column, options.sort) < sort_key(b, column, options.sort);
    });
  }
  return rows;
}

const EnumNames<TableFormat>& table_format_names() {
  static const EnumNames<TableFormat> names{
      {"markdown", TableFormat::kMarkdown}, {"csv", TableFormat::kCsv}, {"latex", TableFormat::kLatex}};
  return names;
}

const EnumNames<SortColumn>& sort_column_names() {
  static const EnumNames<SortColumn> names{{"final", SortColumn::kFinal},   {"best", SortColumn::kBest},
                                           {"params", SortColumn::kParams}, {"macs", SortColumn::kMacs},
                                           {"seconds", SortColumn::kSeconds}, {"memory", SortColumn::kMemory}};
  return names;
}

std::string format_table(const std::vector<TableRow>& rows, TableFormat format) {
  bool any_reference = std::any_of(rows.begin(), rows.end(), [](const TableRow& r) { return r.reference.has_value(); });
  const bool any_top5 = std::any_of(rows.begin(), rows.end(), [](const TableRow& r) { return r.final_top5.has_value(); });
  auto cols = columns(any_reference, any_top5);
  if (!rows.empty() && rows.front().time_target) {
    // Mean ± std over the runs that reached the target, "(k of n)" when some did not.
    auto reached = [](const TableRow& r) {
      std::vector<double> v;
      for (double s : r.seconds_to_target)
        if (!std::isnan(s)) v.push_back(s);
      return v;
    };
    cols.push_back(Column{fmt::format("s to ≤ {:g} % test error", *rows.front().time_target),
                          {"seconds_to_target_mean", "seconds_to_target_runs"}, true,
                          [reached](const TableRow& r, TableFormat format) {
                            const auto v = reached(r);
                            if (v.empty()) return std::string("not reached");
                            auto [m, sd] = mean_std(v);
                            std::string cell = with_std(m, sd, static_cast<int>(v.size()), format);
                            if (v.size() < r.seconds_to_target.size())
                              cell += fmt::format(" ({} of {})", v.size(), r.seconds_to_target.size());
                            return cell;
                          },
                          [reached](const TableRow& r) {
                            const auto v = reached(r);
                            return std::vector<std::string>{v.empty() ? "" : fmt::format("{:.3f}", mean_std(v).first),
                                                            std::to_string(v.size())};
                          }});
  }
  std::string out;
  if (format == TableFormat::kCsv) {
    std::vector<std::string> header;
    for (const auto& c : cols) header.insert(header.end(), c.csv.begin(), c.csv.end());
    out = fmt::format("{}\n", fmt::join(header, ","));
    for (const auto& r : rows) {
      std::vector<std::string> cells;
      for (const auto& c : cols)
        for (const auto& v : c.csv_cells(r)) cells.push_back(csv_quote(v));
      out += fmt::format("{}\n", fmt::join(cells, ","));
    }
    return out;
  }
  if (format == TableFormat::kLatex) {
    std::string align, header;
    for (const auto& c : cols) {
      align += c.numeric ? "r" : "l";
      header += (header.empty() ? "" : " & ") + latex_escape(c.header);
    }
    out = "\\begin{tabular}{" + align + "}\n\\toprule\n" + header + " \\\\\n\\midrule\n";
    for (const auto& r : rows) {
      std::string line;
      for (const auto& c : cols) line += (line.empty() ? "" : " & ") + (c.numeric ? c.cell(r, format) : latex_escape(c.cell(r, format)));
      out += line + " \\\\\n";
    }
    return out + "\\bottomrule\n\\end{tabular}\n";
  }
  std::string header = "|", rule = "|";
  for (const auto& c : cols) {
    header += " " + c.header + " |";
    rule += c.numeric ? "---:|" : "---|";
  }
  out = header + "\n" + rule + "\n";
  for (const auto& r : rows) {
    std::string line = "|";
    for (const auto& c : cols) line += " " + c.cell(r, format) + " |";
    out += line + "\n";
  }
  return out;
}

}  // namespace odenet
