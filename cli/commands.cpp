#include "cli/commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "analysis/comparison_table.h"
#include "analysis/report.h"
#include "analysis/run_analysis.h"
#include "analysis/scheme_verification.h"
#include "analysis/significance.h"
#include "analysis/stability.h"
#include "architectures/presets.h"
#include "cli/arguments.h"
#include "core/allocation_meter.h"
#include "core/device.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/mac_count.h"
#include "core/shell_command.h"
#include "experiments/experiment.h"
#include "experiments/memory_estimate.h"

namespace odenet::cli {

int validate_command(const Args& args) {
  po::options_description options("odenet validate options");
  std::vector<std::string> files;
  std::string memory_limit;
  bool json = false, skip_data = false;
  options.add_options()("experiment", po::value(&files)->required()->multitoken(), "experiment JSON file(s)")(
      "json", po::bool_switch(&json), "print the resolved configs as JSON")(
      "skip-data", po::bool_switch(&skip_data), "do not check that the data sets' files exist (another machine's data)")(
      "memory-limit", po::value(&memory_limit),
      "refuse runs whose estimated memory exceeds this size, e.g. 16G (default: the memory available here when runs "
      "would train on this machine's CPU)");
  po::positional_options_description positional;
  positional.add("experiment", -1);
  po::variables_map vm;
  if (!parse(args, "odenet validate EXPERIMENT.json... [--json] [--skip-data] [--memory-limit SIZE]", options, positional, vm))
    return 0;
  const MemoryLimit limit = memory_limit_for(
      memory_limit.empty() ? std::nullopt : std::optional<int64_t>(parse_bytes(memory_limit, "--memory-limit")),
      select_device("auto").is_cpu());
  for (const auto& f : files) {
    Experiment e = load_experiment(f);
    if (!skip_data) check_experiment_data(e);
    std::map<std::string, MemoryEstimate> memory;  // runs alike but for the seed are measured once
    for (const auto& r : e.runs)
      if (auto [it, fresh] = memory.try_emplace(memory_key(r)); fresh)
        it->second = check_run_memory(r, declared_input(r), 1, 1, limit.bytes, limit.where);
    if (json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : e.runs) out.push_back({{"run", r.run_id}, {"config", r.config}});
      std::cout << out.dump(2) << "\n";
      continue;
    }
    fmt::print("{}: experiment '{}', {} run(s)\n", f, e.name, e.runs.size());
    for (const auto& r : e.runs) {
      const auto& c = r.config;
      const auto& m = c["model"];  // the fractalnet layout has blocks instead of a depth
      std::string size = m.contains("depth") ? std::to_string(m["depth"].get<long>())
                                             : std::to_string(m.value("stage_widths", nlohmann::json::array()).size()) + " blocks";
      fmt::print("  {}/{}: {} {} × {} on {} ({} epochs, batch {}, lr {}, seed {}; memory about {})\n", e.name, r.run_id,
                 m.value("preset", m["layout"].get<std::string>()), size, m["scheme"].dump(),
                 c["dataset"]["name"].get<std::string>(), r.train.epochs, r.train.batch_size, r.train.optimizer.lr, r.seed,
                 format_bytes(memory.at(memory_key(r)).total()));
    }
  }
  return 0;
}

int table_command(const Args& args) {
  po::options_description options("odenet table options");
  std::vector<std::string> dirs;
  std::string format, by;
  std::vector<std::string> compare;
  std::string baseline;
  TableOptions table;
  options.add_options()("dir", po::value(&dirs)->required()->multitoken(), "result directories")(
      "format", po::value(&format)->default_value("markdown"), "markdown, csv or latex (booktabs)")(
      "by", po::value(&by), "comma-separated config fields that define a row (default: all but the seed)")(
      "sort", po::value(&table.sort), "order rows by final, best, params, macs, seconds, memory or a config field")(
      "mixed", po::bool_switch(&table.mixed), "allow runs of several experiments in one table")(
      "time-to", po::value<double>()->notifier([&](double e) { table.time_to = e; }),
      "add the training seconds until the test error first reaches this % (time to accuracy)")(
      "baseline", po::value(&baseline),
      "per matched row (same data, training and depth), every other scheme against this one: B − A with its 95 % CI, "
      "Welch p and Holm's p over seeds")(
      "compare", po::value(&compare)->multitoken(),
      "A B: per matched row (same data, training and depth), B − A with its 95 % CI, Welch p and Holm's p over seeds; "
      "A and B are scheme names or presets (lm_resnet matches lm_resnet20, lm_resnet56, ...), or refined and unrefined "
      "(trained by depth refinement or not, paired at the depth they ended at)");
  po::positional_options_description positional;
  positional.add("dir", -1);
  po::variables_map vm;
  if (!parse(args, "odenet table DIR... [--format markdown|csv|latex] [--by a.b,c] [--sort KEY] [--mixed] [--time-to E] [--baseline NAME | --compare A B]",
             options, positional, vm))
    return 0;
  if (!compare.empty() && compare.size() != 2) throw ConfigError("--compare: give two schemes or presets, A and B");
  if (!compare.empty() && !baseline.empty()) throw ConfigError("--compare and --baseline: give one of them");
  const TableFormat table_format = parse_enum(table_format_names(), format, "--format");
  if ((!compare.empty() || !baseline.empty()) && table_format == TableFormat::kLatex)
    throw ConfigError(std::string(compare.empty() ? "--baseline" : "--compare") + ": markdown or csv");
  std::stringstream fields(by);
  for (std::string f; std::getline(fields, f, ',');)
    if (!f.empty()) table.by.push_back(f);
  std::vector<std::string> skipped;
  const auto runs = collect_runs(dirs, skipped, /*allow_none=*/true);
  if (runs.empty() && skipped.empty()) throw DataError(fmt::format("no runs under {}", fmt::join(dirs, ", ")));
  if (runs.empty()) {  // every run failed or is unfinished: say which and why
    fmt::print("no finished runs under {}; {} run(s) left out:\n", fmt::join(dirs, ", "), skipped.size());
    for (const auto& s : skipped) fmt::print("- {}\n", s);
    return 0;
  }
  auto rows = build_table(runs, table);
  for (const auto& s : skipped) std::cerr << "note: " << s << "\n";
  std::cout << format_table(rows, table_format);
  if (!compare.empty()) {
    if (table_format == TableFormat::kMarkdown) std::cout << "\n";
    std::cout << format_comparison(compare_rows(rows, compare[0], compare[1]), compare[0], compare[1], table_format);
  } else if (!baseline.empty()) {
    if (table_format == TableFormat::kMarkdown) std::cout << "\n";
    std::cout << format_comparison(compare_with_baseline(rows, baseline), baseline, "compared", table_format);
  }
  return 0;
}

int schemes_command(const Args& args) {
  po::options_description options("odenet schemes options");
  bool json = false;
  options.add_options()("json", po::bool_switch(&json), "machine-readable list");
  po::variables_map vm;
  if (!parse(args, "odenet schemes [--json]", options, {}, vm)) return 0;
  const auto& registry = scheme_registry();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& name : registry.names()) out.push_back(to_json(registry.get(name).info));
  if (json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  size_t width = 0;
  for (const auto& name : registry.names()) width = std::max(width, name.size());
  for (const auto& s : out)
    fmt::print("{:<{}} order {}  evals/step {}  history {}  reversible {}  stochastic {}\n{:<{}} {}\n{:<{}} {}\n",
               s["name"].get<std::string>(), width, s["order"].get<int>(), s["evaluations_per_step"].get<int>(),
               s["history"].get<int>(), s["reversible"].get<bool>() ? "yes" : "no",
               s["stochastic"].get<bool>() ? "yes" : "no", "", width, s["update"].get<std::string>(), "", width,
               s["description"].get<std::string>());
  fmt::print("older names, still accepted: {}\n", fmt::join(registry.aliases(), ", "));
  return 0;
}

int models_command(const Args& args) {
  po::options_description options("odenet models options");
  bool json = false;
  int64_t classes = 0, channels = 3;
  options.add_options()("json", po::bool_switch(&json), "machine-readable list")(
      "classes", po::value(&classes)->default_value(0),
      "output classes for the parameter count (0: the layout's data set, 10 for CIFAR, 1000 for ImageNet)")(
      "channels", po::value(&channels)->default_value(3), "input channels for the parameter count (MACs: per image at the layout's native size)");
  po::variables_map vm;
  if (!parse(args, "odenet models [--json] [--classes N] [--channels C]", options, {}, vm)) return 0;
  nlohmann::json out = describe_presets(channels, classes);
  if (json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& m : out)
    fmt::print("{:<20} {:>10} params ({:>4} classes) {:>8.1f}M MACs at {}x{}  {}\n", m["name"].get<std::string>(),
               m["params"].get<int64_t>(), m["classes"].get<int64_t>(), m["macs"].get<int64_t>() / 1e6,
               m["input_size"].get<int64_t>(), m["input_size"].get<int64_t>(), m["description"].get<std::string>());
  return 0;
}

int verify_scheme_command(const Args& args) {
  po::options_description options("odenet verify-scheme options");
  std::vector<std::string> specs;
  std::string problem_name, steps_text;
  std::optional<double> t1;
  bool json = false;
  options.add_options()("scheme", po::value(&specs)->required()->composing(),
                        "a registered name or an inline JSON scheme object; repeat it to compare schemes in one plot")(
      "problem", po::value(&problem_name)->required(), "decay, rotation, oscillator, vanderpol, ou or second_order")(
      "steps", po::value(&steps_text)->default_value("10,20,40,80,160"), "comma-separated step counts")(
      "t1", po::value<double>(), "final time, > 0 (default: the problem's)")(
      "json", po::bool_switch(&json), "print one JSON object (an array with several schemes)")(
      "tolerance", po::value<double>(),
      "exit 1 when an observed order differs from the declared one by more than this (a plugin's CI gate)")(
      "plot", po::value<std::string>(), "write the log-log convergence plot of every scheme (PNG + SVG) into this directory");
  po::variables_map vm;
  if (!parse(args, "odenet verify-scheme --scheme SPEC... --problem P [--steps 10,20,40] [--t1 T] [--tolerance T] [--json] [--plot DIR]",
             options, {}, vm))
    return 0;
  const std::vector<int> steps = parse_step_counts(steps_text, "--steps");
  if (vm.count("t1")) {
    t1 = vm["t1"].as<double>();
    check_final_time(*t1, "--t1");
  }
  std::optional<double> tolerance;
  if (vm.count("tolerance")) {
    tolerance = vm["tolerance"].as<double>();
    if (!(*tolerance >= 0)) throw ConfigError(fmt::format("--tolerance: {} is not >= 0", *tolerance));
  }
  OdeProblem problem = make_problem(problem_name);
  const double final_time = t1.value_or(problem.t1);
  std::vector<std::pair<Verification, SchemeInfo>> verified;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& spec : specs) {
    const nlohmann::json scheme_json = !spec.empty() && spec.front() == '{' ? parse_json_strictly(spec, "--scheme") : nlohmann::json(spec);
    auto scheme = build_scheme(scheme_registry(), scheme_json, "--scheme", "");
    verified.emplace_back(verify_scheme(*scheme, scheme->to_json().dump(), problem, steps, final_time), scheme->info());
    out.push_back(to_json(verified.back().first));
    if (!json) std::cout << format_verification(verified.back().first, verified.back().second, problem, final_time);
  }
  if (vm.count("plot")) {
    const std::string base = plot_convergence(verified, problem, vm["plot"].as<std::string>());
    if (!json) std::cout << "plot: " << base << ".png (.svg)\n";
  }
  if (json) std::cout << (specs.size() == 1 ? out[0] : out).dump(2) << "\n";
  if (tolerance)
    for (const auto& [v, info] : verified)
      if (!(std::abs(v.observed_order - v.expected_order) <= *tolerance))
        throw Error(fmt::format("{}: observed order {:.3f} on '{}' misses the declared {} by more than {}", v.scheme,
                                v.observed_order, problem.name, v.expected_order, *tolerance));
  return 0;
}

int analyze_command(const Args& args) {
  po::options_description options("odenet analyze options");
  std::string dir, plot_dir;
  bool json = false;
  options.add_options()("run", po::value(&dir)->required(), "a finished run directory")(
      "plot", po::value(&plot_dir), "write k_n against depth as PNG and SVG into this directory")(
      "json", po::bool_switch(&json), "print one JSON object");
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse(args, "odenet analyze RUN_DIR [--plot DIR] [--json]", options, positional, vm)) return 0;
  RunAnalysis a = analyze_run(dir);
  if (!plot_dir.empty()) {  // titled by the run's name, not its path
    const auto config = read_json_file(dir + "/config.json");
    const std::string name = config.value("experiment", "?") + "/" + std::filesystem::path(dir).lexically_normal().filename().string();
    plot_k_by_depth({{name, a}}, "learned k_n of " + name, plot_dir + "/k_by_depth");
  }
  if (json) {
    std::cout << to_json(a).dump(2) << "\n";
    return 0;
  }
  fmt::print("{}: scheme {} (order {})\nmodified equation: {}\n", dir, a.scheme_config.dump(), a.scheme.order,
             a.modified_equation);
  if (a.measured_error_constant >= 0) {
    fmt::print("global error constant C in e ≈ C Δt^{} on '{}': measured {:.4f}", a.scheme.order, a.error_problem,
               a.measured_error_constant);
    if (a.predicted_error_constant >= 0) fmt::print(", predicted {:.4f}", a.predicted_error_constant);
    fmt::print("\n");
  }
  if (a.blocks.empty()) return 0;
  fmt::print("\n{}", format_k_table(a.blocks));
  fmt::print("\nmean k = {:.4f}: as an integrator of u' = -u its global error is {:.4f} × {}'s "
             "(predicted {} = {:.4f})\n",
             a.mean_k, a.measured_error_ratio, a.without_name, a.ratio_formula, a.predicted_error_ratio);
  if (!plot_dir.empty()) fmt::print("plot: {}/k_by_depth.png (.svg)\n", plot_dir);
  return 0;
}

int report_command(const Args& args) {
  po::options_description options("odenet report options");
  std::string dir, out;
  std::vector<std::string> compare;
  ReportOptions report;
  options.add_options()("dir", po::value(&dir)->required(), "an experiment's result directory")(
      "out", po::value(&out), "where report.md and figures/ go (default: the experiment directory)")(
      "baseline", po::value(&report.baseline),
      "compare every other scheme and depth with this one (a scheme, its label, a run group or a preset; "
      "default: the scheme of the experiment's first run)")(
      "compare", po::value(&compare)->multitoken(), "A B: only these two schemes or presets, against each other");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (!parse(args, "odenet report DIR [--out DIR] [--baseline NAME | --compare A B]", options, positional, vm)) return 0;
  if (!compare.empty() && compare.size() != 2) throw ConfigError("--compare: give two schemes or presets, A and B");
  if (!compare.empty() && !report.baseline.empty()) throw ConfigError("--compare and --baseline: give one of them");
  if (!compare.empty()) report.compare_a = compare[0], report.compare_b = compare[1];
  report.command = "odenet report";
  for (const auto& a : args) report.command += " " + shell_word(a);
  std::cout << write_report(dir, out.empty() ? dir : out, report) << "\n";
  return 0;
}

int stability_command(const Args& args) {
  po::options_description options("odenet stability options");
  std::string out;
  options.add_options()("out", po::value(&out)->required(), "directory for the figures");
  po::variables_map vm;
  if (!parse(args, "odenet stability --out DIR", options, {}, vm)) return 0;
  plot_stability(out);
  fmt::print("{}/stability_regions.png, {}/lm_root_condition.png (and .svg)\n", out, out);
  return 0;
}

}  // namespace odenet::cli
