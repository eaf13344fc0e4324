// The commands that train: run (with jobs and time limits), status (where the
// runs of a campaign stand), speed (training throughput of a run).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <algorithm>
#include <map>
#include <set>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "core/allocation_meter.h"
#include "core/atomic_file.h"
#include "core/device.h"
#include "core/error.h"
#include "core/threads.h"
#include "distributed/process_group.h"
#include "distributed/world.h"
#include "experiments/experiment.h"
#include "experiments/memory_estimate.h"
#include "experiments/parallel_runs.h"
#include "experiments/run_setup.h"
#include "experiments/runner.h"
#include "experiments/slurm_array.h"
#include "experiments/throughput.h"
#include "training/progress.h"
#include "training/run_directory.h"
#include "training/stop_signal.h"

namespace odenet::cli {
namespace fs = std::filesystem;
namespace {

std::vector<int> parse_devices(const std::string& text) {
  std::vector<int> out;
  for (const auto& item : split_list(text)) {
    size_t used = 0;
    int d = -1;
    try {
      d = std::stoi(item, &used);
    } catch (const std::exception&) {
    }
    if (used != item.size() || d < 0) throw ConfigError("--devices: '" + item + "' is not a CUDA device index");
    out.push_back(d);
  }
  return out;
}

// 0 (all cores) or a positive count up to four threads per core.
void check_threads(int threads) {
  const int cores = available_cores();
  if (threads < 0 || threads > 4 * cores)
    throw ConfigError(fmt::format("--threads: {} is not between 0 (all cores) and {} (4 per core)", threads, 4 * cores));
}

struct StatusLine {
  std::string run, dir;
  RunState state;
};

// `odenet run ... --nproc N`: this program N times as the ranks of one data-parallel group, with
// torchrun's environment variables and a store on a free local port; returns when all have ended.
// Starts `nproc` ranks of this command on this machine. A rank that fails makes the others fail
// within `timeout_seconds` (their collectives time out); one still running 10 s after that (a
// stopped or hung process), or after a signal, is killed, so the launcher always ends.
int launch_local_ranks(const Args& args, int nproc, int threads, double timeout_seconds) {
  std::vector<std::string> argv = self_command();
  argv.push_back("run");
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--nproc") {
      ++i;
      continue;
    }
    if (args[i].rfind("--nproc=", 0) != 0) argv.push_back(args[i]);
  }
  if (threads == 0) argv.insert(argv.end(), {"--threads", std::to_string(threads_per_process(nproc))});
  const uint16_t port = free_local_port();
  std::vector<ChildCommand> ranks;
  for (int r = 0; r < nproc; ++r)
    ranks.push_back({fmt::format("data-parallel rank {}", r), argv,
                     {fmt::format("RANK={}", r), fmt::format("WORLD_SIZE={}", nproc), fmt::format("LOCAL_RANK={}", r),
                      fmt::format("LOCAL_WORLD_SIZE={}", nproc), "MASTER_ADDR=127.0.0.1",
                      fmt::format("MASTER_PORT={}", port), "ODENET_LAUNCHER=odenet"}});
  install_stop_handlers();
  const auto failed = run_in_parallel(ranks, ParallelOptions{nproc, true, timeout_seconds + 10});
  if (stop_signal() != 0)
    throw Error(fmt::format("stopped by {}; continue with --resume", signal_name(stop_signal())), 128 + stop_signal());
  if (!failed.empty()) throw Error(fmt::format("{} of {} data-parallel rank(s) failed", failed.size(), nproc));
  return 0;
}

// --nproc and --jobs within what the machine holds (unless --oversubscribe) and compatible with
// each other and with this build.
void check_process_counts(int nproc, int jobs, bool oversubscribe, bool in_world) {
  if (nproc < 1 || nproc > 1024) throw ConfigError(fmt::format("--nproc: {} is not between 1 and 1024", nproc));
  // Processes beyond the cores only slow each other down, and hundreds of them exhaust memory.
  for (const auto& [option, count] : {std::pair<const char*, int>{"--nproc", nproc}, {"--jobs", jobs}})
    if (count > available_cores() && !oversubscribe)
      throw ConfigError(fmt::format("{} {}: this machine has {} core(s); pass --oversubscribe to start more processes "
                                    "than cores", option, count, available_cores()));
  if ((nproc > 1 || in_world) && jobs > 1)
    throw ConfigError("--jobs: a data-parallel run trains one run at a time (drop --jobs or --nproc)");
  if ((nproc > 1 || in_world) && !data_parallel_available())
    throw ConfigError("data-parallel training: this odenet was built without c10d's Gloo backend (install libgloo-dev, "
                      "or run scripts/setup.sh, and rebuild)");
}

// --nproc ranks of each selected run side by side, each with its share of the batch, within
// --memory-limit or what this machine has available (CPU runs); runs alike but for the seed are
// measured once.
void check_ranks_fit(const std::vector<Experiment>& experiments, const RunnerOptions& runner, int nproc) {
  const MemoryLimit limit = memory_limit_for(runner.memory_limit, select_device(runner.device).is_cpu());
  if (limit.bytes == 0) return;
  std::set<std::string> measured;
  for (const auto& e : experiments)
    for (size_t i = 0; i < e.runs.size(); ++i) {
      if (!runner.only.empty() && std::find(runner.only.begin(), runner.only.end(), i) == runner.only.end()) continue;
      if (measured.insert(memory_key(e.runs[i])).second)
        check_run_memory(e.runs[i], declared_input(e.runs[i]), nproc, nproc, limit.bytes, limit.where);
    }
}

// This process as one rank of `world`: its share of the node's threads, its own GPU, the group joined.
void join_world(RunnerOptions& runner, const WorldInfo& world, double timeout_seconds) {
  if (runner.threads == 0) runner.threads = threads_per_process(world.local_world_size);  // the node's ranks share it
  if (runner.device == "cuda" || (runner.device == "auto" && select_device("auto").is_cuda()))
    runner.device = fmt::format("cuda:{}", world.local_rank);
  runner.group = join_group(world, std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000)));
}

// Trains the experiments in turn under one time budget; says how to continue paused runs.
int run_experiments(const std::vector<Experiment>& experiments, const RunnerOptions& runner,
                    const std::vector<std::string>& files) {
  const auto start = std::chrono::steady_clock::now();
  int paused = 0, stopped = 0;
  for (const auto& e : experiments) {
    RunnerOptions o = runner;
    if (runner.time_limit_seconds)  // one budget for the whole command
      o.time_limit_seconds = std::max(0.0, *runner.time_limit_seconds -
                                               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    const RunnerSummary summary = run_experiment(e, o);
    paused += summary.paused, stopped += summary.stopped;
  }
  if (stopped > 0)  // runs left unstarted by a signal: not done, say so
    throw Error(fmt::format("stopped by {} with {} run(s) not started; continue with --resume", signal_name(stop_signal()),
                            stopped),
                128 + stop_signal());
  if (stop_signal() != 0)  // a signal during the last run's last step: every run finished
    fmt::print("{} arrived as the last run finished: every run is done\n", signal_name(stop_signal()));
  if (paused > 0)
    fmt::print("{} run(s) paused by the time limit; continue with: odenet run {} --resume\n", paused,
               fmt::join(files, " "));
  return 0;
}

// The runs of each target: an experiment file's runs under `results` (started or not), or the run
// directories under a directory. `read_from` says where an experiment's runs were looked for.
std::vector<StatusLine> status_lines(const std::vector<std::string>& targets, const std::string& results,
                                     std::vector<std::string>& read_from) {
  std::vector<StatusLine> lines;
  for (const auto& target : targets) {
    if (fs::is_regular_file(target)) {
      Experiment e = with_existing_run_ids(load_experiment(target), results);
      read_from.push_back(fmt::format("{}: runs under {}", target, fs::absolute(results + "/" + e.name).lexically_normal().string()));
      for (const auto& run : e.runs) {
        const RunDirectory dir(results + "/" + e.name + "/" + run.run_id);
        StatusLine line{e.name + "/" + run.run_id, dir.path(), dir.state()};
        if (line.state.epochs == 0) line.state.epochs = run.train.epochs;
        lines.push_back(line);
      }
    } else if (fs::is_directory(target)) {
      for (const auto& dir : run_directories_under(target)) {
        const std::string relative = fs::relative(dir.path(), target).string();
        lines.push_back({relative == "." ? dir.path() : relative, dir.path(), dir.state()});
      }
    } else {
      throw ConfigError(target + ": no such directory or experiment file");
    }
  }
  return lines;
}

// One line per run (status, epochs, the first line of its reason), then the counts per status.
void print_status(const std::vector<StatusLine>& lines) {
  std::map<std::string, int> counts;
  size_t width = 4;
  for (const auto& l : lines) width = std::max(width, l.run.size());
  for (const auto& l : lines) {
    counts[run_status_name(l.state.status)]++;
    fmt::print("{:<{}}  {:<12} {:>5}/{:<5}", l.run, width, run_status_name(l.state.status), l.state.epochs_done,
               l.state.epochs);
    if (!l.state.reason.empty()) fmt::print("  {}", l.state.reason.substr(0, l.state.reason.find('\n')));
    fmt::print("\n");
  }
  std::string summary;
  for (const auto& [name, count] : counts) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", count, name);
  fmt::print("{} run(s): {}\n", lines.size(), summary.empty() ? "none" : summary);
}

enum class SpeedMode { kBoth, kEndToEnd, kCompute };
const EnumNames<SpeedMode>& speed_modes() {
  static const EnumNames<SpeedMode> modes{
      {"both", SpeedMode::kBoth}, {"end-to-end", SpeedMode::kEndToEnd}, {"compute", SpeedMode::kCompute}};
  return modes;
}

// Every experiment file loaded and its data checked before anything trains.
std::vector<Experiment> load_checked(const std::vector<std::string>& files, bool one_only) {
  std::vector<Experiment> experiments;
  for (const auto& f : files) experiments.push_back(load_experiment(f));
  for (const auto& e : experiments) check_experiment_data(e);
  if (one_only && experiments.size() > 1) throw ConfigError("--only: give one experiment file");
  return experiments;
}

}  // namespace

int run_command(const Args& args) {
  po::options_description options("odenet run options");
  std::vector<std::string> files;
  RunnerOptions runner;
  std::string devices, time_limit, dist_timeout, memory_limit;
  std::vector<size_t> only;
  int nproc = 1;
  bool oversubscribe = false;
  options.add_options()("experiment", po::value(&files)->required()->multitoken(), "experiment JSON file(s)")(
      "results", po::value(&runner.results_root)->default_value("results"), "results root directory")(
      "resume", po::bool_switch(&runner.resume), "continue unfinished or paused runs from their last checkpoint")(
      "threads", po::value(&runner.threads)->default_value(0), "intra-op threads per run (0: all cores, shared among --jobs)")(
      "device", po::value(&runner.device)->default_value("auto"),
      "auto (CUDA when this build sees a GPU, else the CPU), cpu, cuda or cuda:N")(
      "jobs,j", po::value(&runner.jobs)->default_value(1), "train this many runs at once, each in its own process")(
      "devices", po::value(&devices), "CUDA devices handed to the jobs in turn, e.g. 0,1")(
      "only", po::value(&only)->multitoken(), "train only these runs (indices as `odenet validate` lists them)")(
      "time-limit", po::value(&time_limit),
      "stop at the last epoch boundary that fits in this time (e.g. 9m, 1h30m); the runs pause and --resume continues them")(
      "nproc", po::value(&nproc)->default_value(1),
      "train each run data-parallel over this many local processes (as torchrun --nproc-per-node would; at most "
      "this machine's cores)")(
      "oversubscribe", po::bool_switch(&oversubscribe),
      "allow --nproc or --jobs above this machine's cores, and --nproc ranks beyond its memory")(
      "memory-limit", po::value(&memory_limit),
      "refuse a run whose estimated memory (parameters, gradients, momentum, activations at its batch) exceeds this "
      "size, e.g. 16G (default: the memory available when it starts; shared among --jobs and --nproc; a GPU run is "
      "checked only against this)")(
      "dist-timeout", po::value(&dist_timeout)->default_value("5m"),
      "data-parallel: how long a rank waits for the others before it fails (a rank that died or hangs)");
  po::positional_options_description positional;
  positional.add("experiment", -1);
  po::variables_map vm;
  if (!parse(args,
             "odenet run EXPERIMENT.json... [--results DIR] [--resume] [--threads N] [--device D] [--jobs N] "
             "[--devices 0,1] [--only I...] [--time-limit DURATION] [--nproc N] [--dist-timeout DURATION] [--memory-limit SIZE]",
             options, positional, vm))
    return 0;
  if (runner.jobs < 1) throw ConfigError("--jobs: must be at least 1");
  check_threads(runner.threads);
  runner.devices = parse_devices(devices);
  runner.only = only;
  if (!time_limit.empty()) runner.time_limit_seconds = parse_duration(time_limit);
  if (!memory_limit.empty()) runner.memory_limit = parse_bytes(memory_limit, "--memory-limit");
  const std::vector<Experiment> experiments = load_checked(files, !only.empty());
  const double timeout_seconds = parse_duration(dist_timeout);
  if (timeout_seconds <= 0) throw ConfigError("--dist-timeout: must be positive");
  const auto world = world_from_environment();
  check_process_counts(nproc, runner.jobs, oversubscribe, world.has_value());
  if (nproc > 1) {
    if (world)
      throw ConfigError(fmt::format("--nproc: this process is already rank {} of {} (started by {})", world->rank,
                                    world->world_size, world->launcher));
    if (!oversubscribe) check_ranks_fit(experiments, runner, nproc);
    return launch_local_ranks(args, nproc, runner.threads, timeout_seconds);
  }
  if (world) join_world(runner, *world, timeout_seconds);
  return run_experiments(experiments, runner, files);
}

int status_command(const Args& args) {
  po::options_description options("odenet status options");
  std::vector<std::string> targets;
  std::string results;
  bool json = false;
  options.add_options()("target", po::value(&targets)->required()->multitoken(),
                        "result directories, or experiment files (their runs under --results, started or not)")(
      "results", po::value(&results)->default_value("results"), "results root for experiment files")(
      "json", po::bool_switch(&json), "machine-readable list");
  po::positional_options_description positional;
  positional.add("target", -1);
  po::variables_map vm;
  if (!parse(args, "odenet status DIR_OR_EXPERIMENT.json... [--results DIR] [--json]", options, positional, vm)) return 0;
  std::vector<std::string> read_from;  // where the runs were looked for, said before the lines
  const std::vector<StatusLine> lines = status_lines(targets, results, read_from);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : lines)
      out.push_back({{"run", l.run},
                     {"dir", l.dir},
                     {"status", run_status_name(l.state.status)},
                     {"epochs_done", l.state.epochs_done},
                     {"epochs", l.state.epochs},
                     {"reason", l.state.reason}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& where : read_from) fmt::print("{}\n", where);
  print_status(lines);
  return 0;
}

int submit_command(const Args& args) {
  po::options_description options("odenet submit options");
  std::string file, results;
  bool slurm = false, dry_run = false;
  SlurmArrayOptions a;
  options.add_options()("experiment", po::value(&file)->required(), "experiment JSON file")(
      "slurm", po::bool_switch(&slurm), "submit to Slurm as one job array (the only scheduler so far)")(
      "results", po::value(&results)->default_value("results"), "results root directory")(
      "partition", po::value(&a.partition), "Slurm partition (default: the cluster's)")(
      "time", po::value(&a.time), "time limit per array task, in Slurm's format (e.g. 4:00:00); runs requeue before it")(
      "gpus-per-run", po::value(&a.gpus_per_run)->default_value(0),
      "GPUs per run; more than 1 makes each run data-parallel over that many tasks")(
      "cpus-per-run", po::value(&a.cpus_per_run)->default_value(1), "CPU cores per task (the run's --threads)")(
      "max-parallel", po::value(&a.max_parallel)->default_value(0), "array tasks running at once (0: no limit)")(
      "signal-lead", po::value(&a.signal_seconds)->default_value(120),
      "seconds before the time limit at which Slurm sends USR1 (the run checkpoints and requeues)")(
      "dry-run", po::bool_switch(&dry_run), "print the sbatch script, submit nothing");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  po::variables_map vm;
  if (!parse(args,
             "odenet submit EXPERIMENT.json --slurm [--partition P] [--time T] [--gpus-per-run G] [--cpus-per-run C] "
             "[--max-parallel M] [--dry-run]",
             options, positional, vm))
    return 0;
  if (!slurm) throw ConfigError("odenet submit: say where: --slurm (the only scheduler so far)");
  if (a.gpus_per_run < 0 || a.gpus_per_run > 1024) throw ConfigError("--gpus-per-run: must be between 0 and 1024");
  if (a.cpus_per_run < 1 || a.cpus_per_run > 4096) throw ConfigError("--cpus-per-run: must be between 1 and 4096");
  if (a.max_parallel < 0) throw ConfigError("--max-parallel: must be 0 (no limit) or more");
  if (a.signal_seconds < 1 || a.signal_seconds > 65535) throw ConfigError("--signal-lead: must be between 1 and 65535 seconds");
  Experiment e = load_experiment(file);
  a.experiment_file = fs::absolute(file).lexically_normal().string();
  a.experiment_name = e.name;
  a.runs = e.runs.size();
  a.results_root = fs::absolute(results).lexically_normal().string();
  a.working_directory = fs::current_path().string();
  a.odenet_command = self_command();
  const std::string script = slurm_array_script(a);
  if (dry_run) {
    std::cout << script;
    return 0;
  }
  const std::string dir = a.results_root + "/" + e.name, path = dir + "/slurm-array.sh";
  fs::create_directories(dir);
  write_file_atomic(path, script);
  const std::string job = submit_with_sbatch(path);
  fmt::print("submitted job array {} ({} run(s)) from {}\nwatch it with: squeue -j {}; odenet status {} --results {}\n", job,
             a.runs, path, job, file, results);
  return 0;
}

int speed_command(const Args& args) {
  po::options_description options("odenet speed options");
  std::string file, mode, device_name, precision;
  std::vector<size_t> indices;
  int threads = 0;
  bool json = false;
  ThroughputOptions t;
  options.add_options()("experiment", po::value(&file)->required(), "experiment JSON file")(
      "run", po::value(&indices)->multitoken(),
      "which of its runs (indices as `odenet validate` lists them; default 0); several are measured in "
      "interleaved rounds and compared with the first")(
      "steps", po::value(&t.steps)->default_value(30), "timed steps per round")(
      "warmup", po::value(&t.warmup)->default_value(5), "untimed steps before each round")(
      "rounds", po::value(&t.rounds)->default_value(3), "rounds (medians are reported; ratios are medians of per-round ratios)")(
      "mode", po::value(&mode)->default_value("both"), "both, end-to-end (the loader) or compute (one fixed batch)")(
      "precision", po::value(&precision), "override the runs' train.precision (auto, fp32, bf16, fp16)")(
      "threads", po::value(&threads)->default_value(0), "intra-op threads (0: all cores)")(
      "device", po::value(&device_name)->default_value("auto"), "auto, cpu, cuda or cuda:N")(
      "profile", po::value(&t.profile_dir),
      "also profile the compute-only steps of each run: DIR/<run>.trace.json and the top operators")(
      "phases", po::bool_switch(&t.phases),
      "also time each step's forward, backward, update and bookkeeping (median ms; on CUDA the clock waits for the device)")(
      "json", po::bool_switch(&json), "print one JSON array");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  po::variables_map vm;
  if (!parse(args, "odenet speed EXPERIMENT.json [--run I...] [--steps N] [--warmup W] [--rounds R] [--mode M] [--phases] [--json]",
             options, positional, vm))
    return 0;
  const SpeedMode speed_mode = parse_enum(speed_modes(), mode, "--mode");
  if (t.steps < 1 || t.warmup < 0 || t.rounds < 1) throw ConfigError("--steps and --rounds must be positive, --warmup >= 0");
  std::optional<PrecisionRequest> requested;
  if (!precision.empty()) requested = parse_enum(precision_request_names(), precision, "--precision");
  t.end_to_end = speed_mode != SpeedMode::kCompute;
  t.compute_only = speed_mode != SpeedMode::kEndToEnd;
  check_threads(threads);
  if (indices.empty()) indices = {0};
  Experiment e = load_experiment(file);
  std::vector<RunSpec> runs;
  for (size_t index : indices) {
    if (index >= e.runs.size()) throw ConfigError(fmt::format("--run {}: {} has {} run(s)", index, file, e.runs.size()));
    runs.push_back(e.runs[index]);
    if (requested) runs.back().precision = *requested;
  }
  const int used_threads = configure_threads(threads);
  const c10::Device device = select_device(device_name);
  LoadedDatasets datasets;
  std::vector<const DatasetSplits*> data;
  for (const auto& run : runs) data.push_back(&datasets.of(run));
  auto results = measure_throughput(runs, data, device, t);
  const nlohmann::json report = throughput_report(e.name, runs, results, device.str(), used_threads, t);
  if (json)
    std::cout << report.dump(2) << "\n";
  else
    std::cout << format_throughput_report(report, runs, results, t);
  return 0;
}

}  // namespace odenet::cli
