#include "experiments/experiment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "architectures/presets.h"
#include "core/allocation_meter.h"
#include "core/error.h"
#include "core/expand_path.h"
#include "core/json_reader.h"
#include "data/dataset_format.h"
#include "data/dataset_options.h"
#include "discretizations/plugin_loader.h"
#include "experiments/config_version.h"
#include "discretizations/scheme.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

nlohmann::json resolve_chain(const std::string& file, std::vector<std::string>& chain) {
  std::string canonical = fs::weakly_canonical(file).string();
  for (const auto& seen : chain)
    if (seen == canonical) throw ConfigError(file + ": /extends: inheritance cycle through " + canonical);
  chain.push_back(canonical);
  nlohmann::json j = read_json_file(file);
  if (!j.is_object()) throw ConfigError(file + ": /: expected an object, got " + describe_json(j));
  if (!j.contains("extends")) return j;
  if (!j["extends"].is_string()) throw ConfigError(file + ": /extends: expected a file name, got " + describe_json(j["extends"]));
  fs::path base_path = fs::path(file).parent_path() / j["extends"].get<std::string>();
  if (!fs::exists(base_path)) throw ConfigError(file + ": /extends: no such file " + base_path.string());
  nlohmann::json base = resolve_chain(base_path.string(), chain);
  base.erase("name");  // a file's name is its own
  j.erase("extends");
  base.merge_patch(j);  // RFC 7386: objects merge, arrays replace, null deletes a key
  return base;
}

// Experiment names become directory names: letters, digits, _ . - and short enough for a file name.
bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

// The most memory a model's trial build at load time may take.
constexpr int64_t kTrialBuildBytes = int64_t{512} << 20;

// The largest sweep expanded: more runs than this is refused before anything is built.
constexpr size_t kMaxRuns = 10000;

// config.json's "train" object: the trainer's options, and the run's precision request and
// depth refinement, which share the object.
TrainOptions parse_train(const JsonReader& r, nlohmann::json& resolved, PrecisionRequest& precision,
                         std::optional<RefineSchedule>& refine) {
  TrainOptions t = read_train_options(r);
  precision = enum_value(r, "precision", precision_request_names(), PrecisionRequest::kAuto);
  if (r.has("refine")) refine = read_refine_schedule(r.object("refine"), t.epochs);
  r.finish();
  resolved = to_json(t);
  resolved["precision"] = enum_name(precision_request_names(), precision);
  if (refine) resolved["refine"] = to_json(*refine);
  return t;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
  return out;
}

// A sweep value's part of the run id: its "label" where it gives one; a string as it is; a number
// or boolean after its key's last name ("depth-14"); a scheme object as tables label it
// ("runge_kutta_tableau-midpoint"); another object by its keys and values, or its index when long.
std::string run_id_part(const std::string& key, const nlohmann::json& value, const std::optional<std::string>& label,
                        size_t index) {
  std::string last = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  if (label) return sanitize(*label);
  if (value.is_string()) return sanitize(value.get<std::string>());
  if (value.is_number() || value.is_boolean()) return sanitize(last + "-" + value.dump());
  std::string text;
  if (value.is_object() && last == "scheme") {
    text = std::regex_replace(scheme_label(value), std::regex("="), "-");
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items())
      text += (text.empty() ? "" : "_") + k + "-" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  if (text.empty() || text.size() > 60) return sanitize(last) + "-" + std::to_string(index);
  return sanitize(text);
}

// The part as odenet named it before labels (objects by their index).
std::string legacy_run_id_part(const std::string& key, const nlohmann::json& value, size_t index) {
  return value.is_object() || value.is_array() ? run_id_part(key, nullptr, std::nullopt, index)
                                                : run_id_part(key, value, std::nullopt, index);
}

// A sweep value without its "label" (which names the run, not part of its config), and the label.
std::pair<nlohmann::json, std::optional<std::string>> split_label(const nlohmann::json& value, const std::string& file,
                                                                   const std::string& key, size_t index) {
  if (!value.is_object() || !value.contains("label")) return {value, std::nullopt};
  const auto& label = value["label"];
  if (!label.is_string() || label.get<std::string>().empty() || label.get<std::string>().size() > 80)
    throw ConfigError(fmt::format("{}: /sweep/{}/{}/label: expected a name of 1 to 80 characters, got {}", file, key, index,
                                  describe_json(label)));
  nlohmann::json rest = value;
  rest.erase("label");
  return {rest, label.get<std::string>()};
}

// `built`: the networks (model JSON and input channels) already built once for this file; the
// seeds of a sweep point share one network shape, so it is built once, not once per seed.
RunSpec parse_run(const nlohmann::json& j, const std::string& file, const std::string& name, uint64_t seed,
                  std::set<std::string>& built) {
  JsonReader top(j, file, "");
  RunSpec run;
  run.experiment = name;
  run.source = file;
  run.seed = seed;
  nlohmann::json dataset, train;
  run.dataset = read_dataset_options(top.object("dataset"), run.augment, dataset);
  if (!top.has("model")) top.fail("model", "required key is missing");
  run.model = resolve_model(top.object("model"));
  if (!top.has("train")) top.fail("train", "required key is missing");
  run.train = parse_train(top.object("train"), train, run.precision, run.refine);
  run.train.seed = seed;
  const std::string network = to_json(run.model).dump() + "/" + std::to_string(run.dataset.channels);
  try {  // catches shapes the layout cannot build (e.g. depth 21) before anything runs
    if (!built.count(network)) {
      // A model too large to try here is sized, and its shapes checked, by the memory estimate
      // `run` and `validate` make against the machine's memory.
      AllocationMeter meter(kTrialBuildBytes);
      auto model = build_model(run.model, *run.model.scheme, run.dataset.channels, 10);
      if (run.refine && !std::dynamic_pointer_cast<StagedNetworkImpl>(model))
        throw ConfigError(fmt::format("the {} layout has no time-stepping stages to refine (train.refine)", run.model.layout));
    }
  } catch (const MemoryLimitExceeded&) {
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: /model: {}", file, e.what()));
  }
  built.insert(network);
  top.finish();  // a swept path outside dataset, model and train ("modle.scheme") is an error, not ignored
  run.config = {{"format_version", kConfigFormatVersion}, {"experiment", name}, {"seed", seed},
                {"dataset", dataset}, {"model", to_json(run.model)}, {"train", train}};
  // A plugin's scheme: the plugin is recorded, and commands that read the run directory load it.
  if (const std::string plugin = plugin_of_scheme(run.model.scheme->info().name); !plugin.empty()) run.config["plugins"] = {plugin};
  return run;
}

// The sweep: {"dotted.path": [values...]}, expanded as a grid in key order; at most kMaxRuns runs
// with `seeds` seeds each.
std::vector<std::pair<std::string, nlohmann::json>> read_sweep_axes(const JsonReader& sweep, const std::string& file,
                                                                    size_t seeds) {
  std::vector<std::pair<std::string, nlohmann::json>> axes;
  for (const auto& [key, values] : sweep.value().items()) {
    const auto& v = sweep.raw(key);
    if (!v.is_array() || v.empty()) sweep.fail(key, "expected a non-empty array of values, got " + describe_json(values));
    // Keys become JSON pointers: only names (letters, digits, _ and -) joined by single dots.
    const bool plain = std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
    if (!plain || key.empty() || key.front() == '.' || key.back() == '.' || key.find("..") != std::string::npos)
      sweep.fail(key, "expected a dotted path of names such as \"model.preset\"");
    if (key == "seeds" || key == "seed" || key.rfind("seeds.", 0) == 0)
      sweep.fail(key, "seeds are not swept: list them in the top-level \"seeds\"");
    axes.emplace_back(key, v);
  }
  size_t total = seeds;  // the grid's size, before anything is expanded
  for (const auto& [key, values] : axes) {
    if (total > kMaxRuns / values.size())
      throw ConfigError(fmt::format("{}: /sweep: more than {} runs (the axes' sizes times {} seed(s)); split the experiment",
                                    file, kMaxRuns, seeds));
    total *= values.size();
  }
  return axes;
}

// config["a"]["b"] = value for the swept key "a.b" (a parent that is no object is an error).
void set_swept_value(nlohmann::json& config, const std::string& key, const nlohmann::json& value, const std::string& file) {
  std::string pointer = "/" + key;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  nlohmann::json::json_pointer ptr(pointer);
  if (ptr.parent_pointer() != nlohmann::json::json_pointer() && config.contains(ptr.parent_pointer()) &&
      !config[ptr.parent_pointer()].is_object())
    throw ConfigError(fmt::format("{}: /sweep/{}: {} is not an object", file, key, ptr.parent_pointer().to_string()));
  config[ptr] = value;
}

}  // namespace

ModelOptions resolve_model(const JsonReader& model) { return model_options_from_json(model, preset_options); }

void check_experiment_data(const Experiment& e) {
  std::set<std::string> checked;
  for (const auto& run : e.runs) {
    if (!checked.insert(run.config["dataset"].dump()).second) continue;
    try {
      check_dataset_files(run.dataset);
    } catch (const DataError& error) {
      throw ConfigError(fmt::format("{}: /dataset/root: {}", e.file, error.what()));
    }
  }
}

Experiment with_existing_run_ids(Experiment e, const std::string& results_root) {
  for (auto& run : e.runs) {
    const fs::path dir = fs::path(results_root) / run.experiment;
    if (!run.legacy_run_id.empty() && !fs::exists(dir / run.run_id) && fs::exists(dir / run.legacy_run_id))
      run.run_id = run.legacy_run_id;
  }
  return e;
}

nlohmann::json resolve_extends(const std::string& file) {
  std::vector<std::string> chain;
  return resolve_chain(file, chain);
}

namespace {

// Scheme plugins the experiment needs ("plugins", relative to its file), loaded before any scheme is read.
void load_experiment_plugins(const JsonReader& top, const std::string& file) {
  const auto plugins = top.strings("plugins", {});
  for (size_t i = 0; i < plugins.size(); ++i) {
    const fs::path path = fs::path(file).parent_path() / expand_path(top, fmt::format("plugins/{}", i), plugins[i]);
    try {
      load_scheme_plugin_once(path.string(), scheme_registry());
    } catch (const Error& error) {
      top.fail(fmt::format("plugins/{}", i), error.what());
    }
  }
}

// One point of the sweep grid: its config, its swept values and its run id (and the older id).
struct SweepPoint {
  nlohmann::json config;
  std::vector<std::pair<std::string, nlohmann::json>> assignment;
  std::string id, legacy_id;  ///< each ending in "_" when the sweep has axes
};

SweepPoint sweep_point(const nlohmann::json& base, const std::vector<std::pair<std::string, nlohmann::json>>& axes,
                       const std::vector<size_t>& index, const std::string& file) {
  SweepPoint point{base, {}, "", ""};
  for (size_t a = 0; a < axes.size(); ++a) {
    const auto& [key, values] = axes[a];
    const auto [value, label] = split_label(values[index[a]], file, key, index[a]);
    set_swept_value(point.config, key, value, file);
    point.assignment.emplace_back(key, value);
    point.id += run_id_part(key, value, label, index[a]) + "_";
    point.legacy_id += legacy_run_id_part(key, value, index[a]) + "_";
  }
  return point;
}

// The point's runs, one per seed, appended to e.runs with unique ids.
void add_point_runs(Experiment& e, const SweepPoint& point, const std::vector<long>& seeds, std::set<std::string>& ids,
                    std::set<std::string>& built) {
  for (long seed : seeds) {
    RunSpec run;
    try {
      run = parse_run(point.config, e.file, e.name, static_cast<uint64_t>(seed), built);
    } catch (const ConfigError& error) {
      if (point.assignment.empty()) throw;
      std::string where;
      for (const auto& [k, v] : point.assignment) where += (where.empty() ? "" : ", ") + k + "=" + v.dump();
      throw ConfigError(std::string(error.what()) + " (in the sweep run " + where + ")");
    }
    run.assignments = point.assignment;
    const std::string seeded = point.id + "s" + std::to_string(seed);
    run.run_id = seeded;
    for (int n = 2; ids.count(run.run_id); ++n) run.run_id = seeded + "-" + std::to_string(n);
    if (run.run_id.size() > 200)
      throw ConfigError(fmt::format("{}: /sweep: the run directory name '{}...' is {} characters, longer than a file "
                                    "name may safely be (200)", e.file, run.run_id.substr(0, 40), run.run_id.size()));
    ids.insert(run.run_id);
    if (point.legacy_id != point.id) run.legacy_run_id = point.legacy_id + "s" + std::to_string(seed);
    run.index = e.runs.size();
    e.runs.push_back(std::move(run));
  }
}

// The published error the experiment's "reference" gives the point's group, on its last `seeds` runs.
void attach_reference(Experiment& e, const std::string& group, size_t seeds, std::set<std::string>& referenced) {
  if (!e.reference.is_object() || !e.reference.contains(group)) return;
  if (!e.reference[group].is_number())
    throw ConfigError(fmt::format("{}: /reference/{}: expected a number, got {}", e.file, group, describe_json(e.reference[group])));
  for (size_t r = e.runs.size() - seeds; r < e.runs.size(); ++r) e.runs[r].reference = e.reference[group].get<double>();
  referenced.insert(group);
}

// The next point of the grid (the first axis fastest); false after the last.
bool next_point(std::vector<size_t>& index, const std::vector<std::pair<std::string, nlohmann::json>>& axes) {
  for (size_t a = 0; a < axes.size(); ++a) {
    if (++index[a] < axes[a].second.size()) return true;
    index[a] = 0;
  }
  return false;
}

}  // namespace

Experiment load_experiment(const std::string& file) {
  nlohmann::json j = resolve_extends(file);
  JsonReader top(j, file, "");
  Experiment e;
  e.file = file;
  e.name = top.string("name");
  if (!valid_name(e.name))
    top.fail("name", "'" + (e.name.size() > 40 ? e.name.substr(0, 37) + "..." : e.name) +
                         "' is not a valid directory name (1 to 128 letters, digits, _ . -)");
  top.string("description", "");
  e.reference = top.raw("reference");
  if (!e.reference.is_null() && !e.reference.is_object())
    top.fail("reference", "expected an object {\"<run group>\": published test error (%)}, got " + describe_json(e.reference));
  load_experiment_plugins(top, file);
  std::vector<long> seeds = top.integers("seeds", 0, 1L << 31, {0});
  if (seeds.empty()) top.fail("seeds", "needs at least one seed");
  if (std::set<long>(seeds.begin(), seeds.end()).size() != seeds.size()) top.fail("seeds", "seeds repeat");

  const auto axes = read_sweep_axes(top.object("sweep"), file, seeds.size());
  top.object("dataset");
  top.raw("model");
  top.raw("train");
  top.finish();

  nlohmann::json base = j;
  for (const char* k : {"name", "description", "reference", "seeds", "sweep", "plugins"}) base.erase(k);
  std::vector<size_t> index(axes.size(), 0);
  std::set<std::string> ids, referenced, built;
  do {
    const SweepPoint point = sweep_point(base, axes, index, file);
    add_point_runs(e, point, seeds, ids, built);
    attach_reference(e, point.id.empty() ? "" : point.id.substr(0, point.id.size() - 1), seeds.size(), referenced);
  } while (next_point(index, axes));
  if (e.reference.is_object())
    for (const auto& [group, value] : e.reference.items())
      if (!referenced.count(group))
        throw ConfigError(fmt::format("{}: /reference/{}: matches no run group (run ids without their _s<seed> suffix)", file, group));
  return e;
}

}  // namespace odenet
