#include "cli/commands.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "analysis/comparison_table.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "experiments/experiment.h"
#include "experiments/runner.h"

namespace odenet::cli {
namespace po = boost::program_options;
namespace {

// Parses `args`; prints help and returns false on --help.
bool parse(const Args& args, const std::string& usage, po::options_description& options,
           const po::positional_options_description& positional, po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << options << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(std::string(e.what()) + " (usage: " + usage + ")");
  }
  return true;
}

}  // namespace

int run_command(const Args& args) {
  po::options_description options("odenet run options");
  std::vector<std::string> files;
  RunnerOptions runner;
  options.add_options()("experiment", po::value(&files)->required()->multitoken(), "experiment JSON file(s)")(
      "results", po::value(&runner.results_root)->default_value("results"), "results root directory")(
      "resume", po::bool_switch(&runner.resume), "continue unfinished runs from their last checkpoint")(
      "threads", po::value(&runner.threads)->default_value(0), "intra-op threads (0: all cores)");
  po::positional_options_description positional;
  positional.add("experiment", -1);
  po::variables_map vm;
  if (!parse(args, "odenet run EXPERIMENT.json... [--results DIR] [--resume] [--threads N]", options, positional, vm))
    return 0;
  std::vector<Experiment> experiments;
  for (const auto& f : files) experiments.push_back(load_experiment(f));  // validate all first
  for (const auto& e : experiments) run_experiment(e, runner);
  return 0;
}

int validate_command(const Args& args) {
  po::options_description options("odenet validate options");
  std::vector<std::string> files;
  bool json = false;
  options.add_options()("experiment", po::value(&files)->required()->multitoken(), "experiment JSON file(s)")(
      "json", po::bool_switch(&json), "print the resolved configs as JSON");
  po::positional_options_description positional;
  positional.add("experiment", -1);
  po::variables_map vm;
  if (!parse(args, "odenet validate EXPERIMENT.json... [--json]", options, positional, vm)) return 0;
  for (const auto& f : files) {
    Experiment e = load_experiment(f);
    if (json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : e.runs) out.push_back({{"run", r.run_id}, {"config", r.config}});
      std::cout << out.dump(2) << "\n";
      continue;
    }
    fmt::print("{}: experiment '{}', {} run(s)\n", f, e.name, e.runs.size());
    for (const auto& r : e.runs) {
      const auto& c = r.config;
      fmt::print("  {}/{}: {} {} × {} on {} ({} epochs, batch {}, lr {}, seed {})\n", e.name, r.run_id,
                 c["model"].value("preset", c["model"]["layout"].get<std::string>()),
                 c["model"]["depth"].get<long>(), c["model"]["scheme"].dump(), c["dataset"]["name"].get<std::string>(),
                 r.train.epochs, r.train.batch_size, r.train.optimizer.lr, r.seed);
    }
  }
  return 0;
}

int table_command(const Args& args) {
  po::options_description options("odenet table options");
  std::vector<std::string> dirs;
  std::string format;
  options.add_options()("dir", po::value(&dirs)->required()->multitoken(), "result directories")(
      "format", po::value(&format)->default_value("markdown"), "markdown or csv");
  po::positional_options_description positional;
  positional.add("dir", -1);
  po::variables_map vm;
  if (!parse(args, "odenet table DIR... [--format markdown|csv]", options, positional, vm)) return 0;
  if (format != "markdown" && format != "csv")
    throw ConfigError("--format: '" + format + "' is not one of: markdown, csv");
  std::vector<std::string> skipped;
  auto rows = build_table(collect_runs(dirs, skipped));
  for (const auto& s : skipped) std::cerr << "note: " << s << "\n";
  std::cout << (format == "csv" ? format_csv(rows) : format_markdown(rows));
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
  for (const auto& s : out)
    fmt::print("{:<18} order {}  evals/step {}  history {}  reversible {}  stochastic {}\n{:<18} {}\n{:<18} {}\n",
               s["name"].get<std::string>(), s["order"].get<int>(), s["evaluations_per_step"].get<int>(),
               s["history"].get<int>(), s["reversible"].get<bool>() ? "yes" : "no",
               s["stochastic"].get<bool>() ? "yes" : "no", "", s["update"].get<std::string>(), "",
               s["description"].get<std::string>());
  return 0;
}

int models_command(const Args& args) {
  po::options_description options("odenet models options");
  bool json = false;
  int64_t classes = 10, channels = 3;
  options.add_options()("json", po::bool_switch(&json), "machine-readable list")(
      "classes", po::value(&classes)->default_value(10), "output classes for the parameter count")(
      "channels", po::value(&channels)->default_value(3), "input channels for the parameter count");
  po::variables_map vm;
  if (!parse(args, "odenet models [--json] [--classes N] [--channels C]", options, {}, vm)) return 0;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& name : preset_registry().names()) {
    const auto& entry = preset_registry().get(name);
    auto scheme = build_scheme(scheme_registry(), entry.options.scheme, "preset " + name, "/scheme");
    auto model = build_model(entry.options, *scheme, channels, classes);
    out.push_back({{"name", name},
                   {"params", count_parameters(*model)},
                   {"description", entry.description},
                   {"model", to_json(entry.options)}});
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& m : out)
    fmt::print("{:<18} {:>10} params  {}\n", m["name"].get<std::string>(), m["params"].get<int64_t>(),
               m["description"].get<std::string>());
  return 0;
}

}  // namespace odenet::cli
