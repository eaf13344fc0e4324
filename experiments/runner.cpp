#include "experiments/runner.h"

#include <sys/resource.h>
#include <torch/version.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>

#include "core/atomic_file.h"
#include "core/build_info.h"
#include "core/device.h"
#include "core/error.h"
#include "core/error_text.h"
#include "core/threads.h"
#include "discretizations/scheme.h"
#include "experiments/config_version.h"
#include "experiments/memory_estimate.h"
#include "experiments/parallel_runs.h"
#include "experiments/run_setup.h"
#include "training/checkpoint_file.h"
#include "training/progress.h"
#include "training/run_directory.h"
#include "training/stop_signal.h"
#include "training/tensorboard_events.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

enum class Plan { kNew, kFinished, kResume, kExtend };

RunDirectory run_dir(const RunnerOptions& options, const RunSpec& run) {
  return RunDirectory(options.results_root + "/" + run.experiment + "/" + run.run_id);
}

Plan inspect(const RunSpec& run, const RunDirectory& run_directory, bool resume) {
  const std::string& dir = run_directory.path();
  if (!run_directory.exists()) return Plan::kNew;
  if (run_directory.locked()) throw ConfigError(dir + ": run is in progress in another process; wait for it or stop it");
  if (!run_directory.has_config())
    throw ConfigError(dir + ": exists but holds no config.json; move it away (odenet never overwrites a run directory)");
  const nlohmann::json saved = read_json_file(run_directory.config_path());
  if (!same_run_config(saved, run.config)) {
    const auto refusal = extension_refusal(saved, run.config);
    if (refusal && refusal->empty() && !resume)
      throw ConfigError(fmt::format("{}: trained for {} epochs; the experiment asks for {}: pass --resume to continue it",
                                    dir, saved["train"]["epochs"].dump(), run.config["train"]["epochs"].dump()));
    if (refusal && refusal->empty()) return Plan::kExtend;
    throw ConfigError(fmt::format("{}: holds a run with a different config ({}){}; rename the experiment or move the "
                                  "directory away", dir, config_differences(saved, run.config), refusal ? "; " + *refusal : ""));
  }
  if (run_directory.finished()) return Plan::kFinished;
  if (!resume) {
    RunState state = run_directory.state();
    if (state.status == RunStatus::kPaused)
      throw ConfigError(fmt::format("{}: paused after epoch {}/{} ({}); pass --resume to continue it", dir,
                                    state.epochs_done, state.epochs, state.reason));
    throw ConfigError(dir + ": unfinished run exists; pass --resume to continue it (odenet never restarts it silently)");
  }
  return Plan::kResume;
}

// Peak resident memory of this process so far, in MiB (Linux reports ru_maxrss in KiB).
double peak_memory_mib() {
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

// The run as TensorBoard's HParams view compares it (its swept values, its scheme and depth, its
// seed; seeds grouped) and its provenance as text.
TensorboardHeader tensorboard_header(const RunSpec& run, bool finished) {
  TensorboardHeader h;
  for (const auto& [key, value] : run.assignments) {
    const bool is_scheme = key.size() >= 6 && key.compare(key.size() - 6, 6, "scheme") == 0;
    h.hparams.emplace_back(key, value.is_object() && is_scheme ? nlohmann::json(scheme_label(value))
                                : value.is_primitive() && !value.is_null() ? value : nlohmann::json(value.dump()));
  }
  auto has = [&](const std::string& key) {
    return std::any_of(h.hparams.begin(), h.hparams.end(), [&](const auto& p) { return p.first == key; });
  };
  if (!has("model.scheme")) h.hparams.emplace_back("model.scheme", scheme_label(run.config["model"]["scheme"]));
  if (!has("model.depth") && run.config["model"].contains("depth")) h.hparams.emplace_back("model.depth", run.config["model"]["depth"]);
  h.hparams.emplace_back("seed", run.seed);
  const std::string group = std::regex_replace(run.run_id, std::regex("_?s[0-9]+(-[0-9]+)?$"), "");  // without the seed
  h.group = group.empty() ? run.experiment : run.experiment + "/" + group;
  h.text = fmt::format("odenet {} (source commit {}), LibTorch {}; experiment {} (file {}), run {}, seed {}", ODENET_VERSION,
                       source_commit(), TORCH_VERSION, run.experiment, run.source, run.run_id, run.seed);
  h.finished = finished;
  return h;
}

nlohmann::json summarize(const RunSpec& run, const std::vector<EpochMetrics>& metrics, int64_t params, int64_t macs,
                         const DatasetSplits& data, const TrainOptions& train, const AugmentOptions& augment,
                         int threads) {
  double best = 1e300, seconds = 0, rate = 0;
  long best_epoch = 0;
  for (const auto& m : metrics) {
    if (m.test_error < best) best = m.test_error, best_epoch = m.epoch;
    seconds += m.epoch_seconds;
    rate += m.images_per_second;
  }
  const auto& last = metrics.back();
  double n = static_cast<double>(metrics.size());
  nlohmann::json summary{{"experiment", run.experiment},
          {"run", run.run_id},
          {"status", "finished"},
          {"seed", run.seed},
          {"params", params},
          {"macs_per_image", macs},
          {"peak_memory_mib", peak_memory_mib()},
          {"epochs", last.epoch},
          {"final_test_error", last.test_error},
          {"best_test_error", best},
          {"best_epoch", best_epoch},
          {"final_train_loss", last.train_loss},
          {"final_test_loss", last.test_loss},
          {"mean_epoch_seconds", seconds / n},
          {"mean_images_per_second", rate / n},
          {"threads", threads},
          {"device", train.device.str()},
          {"precision", precision_name(train.precision)},
          {"torch_version", TORCH_VERSION},
          {"odenet_version", ODENET_VERSION},
          {"source_commit", source_commit()},
          {"run_index", run.index},
          {"reference", run.reference ? nlohmann::json(*run.reference) : nlohmann::json()},
          {"data",
           {{"train_size", data.train.size()},
            {"test_size", data.test.size()},
            {"shape", {data.train.channels(), data.train.height(), data.train.width()}},
            {"classes", data.train.num_classes()},
            {"mean", augment.mean},
            {"std", augment.std}}}};
  if (last.test_top5_error) {  // more than 5 classes: top-5 beside top-1
    double best5 = *last.test_top5_error;
    for (const auto& m : metrics)
      if (m.test_top5_error) best5 = std::min(best5, *m.test_top5_error);
    summary["final_test_top5_error"] = *last.test_top5_error;
    summary["best_test_top5_error"] = best5;
  }
  return summary;
}

// The time a command may still spend, and what an epoch has been taking.
struct Budget {
  std::optional<Clock::time_point> deadline;
  std::string limit_text;
  double epoch_seconds = 0;  ///< the last epoch's wall time in this process (0: none yet)

  bool epoch_fits(double estimate) const {
    if (!deadline || estimate <= 0) return true;  // nothing measured yet: the first epoch runs
    const double left = std::chrono::duration<double>(*deadline - Clock::now()).count();
    return estimate * 1.05 + 1.0 <= left;
  }
  bool expired() const { return deadline && Clock::now() >= *deadline; }
};

// kUnrecorded: failed, and its status.json could not be written (the error went to stderr only).
enum class Outcome { kFinished, kPaused, kFailed, kUnrecorded };

// What stopped a run, in one line: odenet's errors as they are, LibTorch's without their C++
// stack, an allocation that failed as "out of memory".
std::string failure_line(const std::exception& e) {
  const std::string what = first_line(e);
  const bool no_memory = dynamic_cast<const std::bad_alloc*>(&e) || what.find("can't allocate memory") != std::string::npos;
  return no_memory ? "out of memory: " + what : what;
}

// The text config.json holds (or will hold, written by data-parallel rank 0) for the checkpoints' identity.
std::string config_text(const RunSpec& run, const RunDirectory& dir) {
  return dir.has_config() ? read_text_file(dir.config_path()) : run.config.dump(2) + "\n";
}

// The signal that stopped training here, or SIGTERM when another data-parallel rank received it.
int stop_cause() { return stop_signal() != 0 ? stop_signal() : SIGTERM; }

// The run as this process trains it: "auto" is resolved once, when a run starts, and the
// checkpoints record the result, so a resumed run keeps its arithmetic on any machine (a run
// started on a native-bf16 CPU or a GPU stays bf16, one started where auto meant fp32 stays fp32).
// Checkpoints from before the record resolve "auto" anew. `identity` is the header of the
// checkpoint the run resumes from (null for a new run); `kept` says when the run keeps a
// precision that "auto" would not pick here.
RunSpec with_run_precision(const RunSpec& run, const nlohmann::json& identity, const c10::Device& device,
                           std::string* kept = nullptr) {
  RunSpec resolved = run;
  const Precision here = resolve_precision(run.precision, device);
  resolved.precision = precision_request(here);
  if (run.precision != PrecisionRequest::kAuto) return resolved;
  if (!identity.is_object() || !identity.contains("precision") || !identity["precision"].is_string()) return resolved;
  const auto started = find_enum(precision_names(), identity["precision"].get<std::string>());
  if (!started) return resolved;
  resolved.precision = precision_request(*started);
  if (kept && *started != here)
    *kept = fmt::format("keeps {}, the precision \"auto\" chose when the run started ({} here)", precision_name(*started),
                        auto_precision_reason(device));
  return resolved;
}

// The header identity of the checkpoint a resumed run continues from (null otherwise), read once.
nlohmann::json resumed_identity(const RunDirectory& dir, Plan plan) {
  return plan == Plan::kResume ? read_checkpoint_identity(dir.checkpoint_path()) : nlohmann::json();
}

// The checkpoints' identity: this run directory's config.json as written, the seed and the precision.
nlohmann::json run_identity(const RunSpec& resolved, const RunDirectory& dir) {
  return {{"config_hash", text_hash(config_text(resolved, dir))}, {"seed", resolved.seed}, {"precision", enum_name(precision_request_names(), resolved.precision)}};
}

// A run extended to more epochs (Plan::kExtend): extension.json records the config it had (its
// checkpoints are bound to that config's hash), then config.json becomes the experiment's and the
// run is unfinished again; it resumes from its last checkpoint.
Plan extend_run(const RunSpec& run, const RunDirectory& dir) {
  const std::string before = read_text_file(dir.config_path());
  const long from = nlohmann::json::parse(before)["train"]["epochs"].get<long>();
  write_file_atomic(dir.extension_path(), nlohmann::json{{"from_config_hash", text_hash(before)},
                                                            {"from_epochs", from},
                                                            {"to_epochs", run.train.epochs}}
                                                 .dump(2) + "\n");
  dir.write_config(run.config);
  dir.clear_summary();
  fmt::print("{}/{}: trained for {} epochs; extended to {} (the {} schedule continues where it was)\n", run.experiment,
             run.run_id, from, run.train.epochs, run.config["train"]["schedule"].value("name", "?"));
  return Plan::kResume;
}

// Loads the run's checkpoint; one written before the run was extended carries the config hash
// extension.json records, accepted for this load only.
void load_extended_checkpoint(Trainer& trainer, const RunDirectory& dir, const nlohmann::json& resumed) {
  const std::string checkpoint = dir.checkpoint_path();
  if (fs::exists(dir.extension_path()) && resumed.is_object() && resumed.contains("config_hash")) {
    const nlohmann::json extension = read_json_file(dir.extension_path());
    if (resumed["config_hash"] == extension.value("from_config_hash", nlohmann::json())) {
      const nlohmann::json identity = trainer.identity();
      nlohmann::json before = identity;
      before["config_hash"] = resumed["config_hash"];
      trainer.set_identity(before);
      trainer.load_checkpoint(checkpoint);
      trainer.set_identity(identity);
      return;
    }
  }
  trainer.load_checkpoint(checkpoint);
}

// A data-parallel rank other than 0: trains its shards alongside rank 0 and writes nothing
// (rank 0 keeps the run directory and decides where to stop; this rank reads its checkpoint to resume).
Outcome train_replica(const RunSpec& spec, const RunDirectory& dir, Plan plan, const DatasetSplits& data,
                      const c10::Device& device, const std::shared_ptr<DataParallelGroup>& group) {
  const nlohmann::json resumed = resumed_identity(dir, plan);
  const RunSpec run = with_run_precision(spec, resumed, device);
  RunSetup setup = setup_run(run, data, device, run_identity(run, dir), group);
  Trainer& trainer = *setup.trainer;
  if (plan == Plan::kResume && dir.has_checkpoint()) {
    refine_as_checkpointed(setup, run, resumed, dir.checkpoint_path());
    trainer.load_checkpoint(dir.checkpoint_path());
  }
  auto on_epoch = [](const EpochMetrics&) {};
  auto start_epoch = [&](long epoch) {  // rank 0's answer is what counts; every rank refines alike
    if (refines_before(setup, run, epoch)) refine_run(setup, run);
    return true;
  };
  Trainer::Outcome outcome;
  try {
    outcome = trainer.train(on_epoch, start_epoch);
  } catch (const std::exception& e) {
    std::cerr << "odenet: error: " << failure_line(e) << "\n";
    return Outcome::kFailed;
  }
  if (outcome == Trainer::Outcome::kInterrupted || outcome == Trainer::Outcome::kStopped)
    throw Error(fmt::format("stopped by {}; rank 0 checkpointed the run", signal_name(stop_cause())), 128 + stop_cause());
  return outcome == Trainer::Outcome::kAtBoundary ? Outcome::kPaused : Outcome::kFinished;
}

// Sets a run up in its directory; a new run that could not start (a full disk, a bad init_from)
// leaves nothing behind.
RunSetup start_run(const RunSpec& spec, const RunSpec& run, const RunDirectory& dir, Plan plan, const DatasetSplits& data,
                   const c10::Device& device, const std::shared_ptr<DataParallelGroup>& group) {
  try {
    if (plan == Plan::kNew) dir.write_config(spec.config);
    return setup_run(run, data, device, run_identity(run, dir), group);
  } catch (const Error&) {
    if (plan == Plan::kNew) dir.remove_new();
    throw;
  }
}

// A resumed run's state from its checkpoint (refinements, an extension) and the metrics of the
// epochs it holds; no checkpoint: the run restarts from epoch 1.
std::vector<EpochMetrics> resume_from_checkpoint(RunSetup& setup, const RunSpec& run, const nlohmann::json& resumed,
                                                 const RunDirectory& dir) {
  const std::string checkpoint = dir.checkpoint_path(), metrics_path = dir.metrics_path();
  const std::string& label = setup.train.label;
  if (!dir.has_checkpoint()) {
    fmt::print("{}: no checkpoint.pt to resume from: restarting from epoch 1\n", label);
    return {};
  }
  Trainer& trainer = *setup.trainer;
  refine_as_checkpointed(setup, run, resumed, checkpoint);
  load_extended_checkpoint(trainer, dir, resumed);
  auto metrics = read_metrics_file(metrics_path, trainer.completed_epochs());
  if (static_cast<long>(metrics.size()) != trainer.completed_epochs())
    throw DataError(fmt::format("{}: holds {} epochs but the checkpoint is at epoch {}", metrics_path, metrics.size(),
                                trainer.completed_epochs()));
  if (auto partial = trainer.partial_position())
    fmt::print("{}: resuming at epoch {}, step {}/{}\n", label, (*partial)[0], (*partial)[1], (*partial)[2]);
  else
    fmt::print("{}: resuming after epoch {}/{}\n", label, trainer.completed_epochs(), setup.train.epochs);
  return metrics;
}

// The run's first lines: its size, data, ranks, threads, device and precision, and any notice.
void print_run_header(const RunSetup& setup, const DatasetSplits& data, int threads, const c10::Device& device,
                      const DataParallelGroup* group, const std::string& kept_precision) {
  const TrainOptions& train = setup.train;
  const std::string ranks = group ? fmt::format("{} data-parallel ranks x ", group->world_size()) : "";
  fmt::print("{}: {} params, {} train / {} test images {}x{}x{}, {}{} thread(s), {}, {}\n", train.label, setup.params,
             data.train.size(), data.test.size(), data.train.channels(), data.train.height(), data.train.width(), ranks,
             threads, device.str(), precision_name(train.precision));
  if (!kept_precision.empty()) fmt::print("{}: {}\n", train.label, kept_precision);
  if (!setup.notice.empty()) fmt::print("{}: {}\n", train.label, setup.notice);
  std::fflush(stdout);
}

// What a run records after each epoch, in this order (a kill in between redoes the epoch):
// metrics.jsonl, the TensorBoard events, the checkpoint; then the progress line.
class EpochRecorder {
 public:
  EpochRecorder(RunSetup& setup, const RunSpec& run, const RunDirectory& dir, std::vector<EpochMetrics> metrics,
                Budget& budget, const DataParallelGroup* group)
      : setup_(setup), run_(run), dir_(dir), metrics_(std::move(metrics)), budget_(budget), group_(group) {}

  void record(const EpochMetrics& epoch_metrics) {
    const TrainOptions& train = setup_.train;
    metrics_.push_back(epoch_metrics);
    metrics_.back().k = learned_k_means(*setup_.model);
    metrics_.back().k_channels = learned_k_channels(*setup_.model);
    const EpochMetrics& m = metrics_.back();
    dir_.write_metrics(metrics_);
    write_tensorboard_events(dir_.path(), metrics_, tensorboard_header(run_, m.epoch == train.epochs));
    setup_.trainer->save_checkpoint(dir_.checkpoint_path());
    budget_.epoch_seconds = m.epoch_seconds;
    const double remaining = m.epoch_seconds * static_cast<double>(train.epochs - m.epoch);
    fmt::print("{}: epoch {}/{} lr {:.4g} train loss {:.4f} err {:.2f}% | test loss {:.4f} err {:.2f}%{} | {:.0f} img/s "
               "{:.1f}s | ETA {}{}\n",
               train.label, m.epoch, train.epochs, m.lr, m.train_loss, m.train_error, m.test_loss, m.test_error,
               m.test_top5_error ? fmt::format(" top-5 {:.2f}%", *m.test_top5_error) : "",
               m.images_per_second, m.epoch_seconds, format_duration(remaining),
               group_ ? fmt::format(" | {} ranks, identical parameters", group_->world_size()) : "");
    std::fflush(stdout);
  }

  // Before each epoch: does it fit in the time left? Judged by the last epoch this process
  // trained, else by the run's own last epoch. A refinement due before it happens here.
  bool start(long epoch) {
    const double estimate =
        budget_.epoch_seconds > 0 ? budget_.epoch_seconds : (metrics_.empty() ? 0 : metrics_.back().epoch_seconds);
    if (!budget_.epoch_fits(estimate)) return false;
    if (refines_before(setup_, run_, epoch)) {
      fmt::print("{}: after epoch {}: {}\n", setup_.train.label, epoch - 1, refine_run(setup_, run_));
      std::fflush(stdout);
    }
    return true;
  }

  const std::vector<EpochMetrics>& metrics() const { return metrics_; }

 private:
  RunSetup& setup_;
  const RunSpec& run_;
  const RunDirectory& dir_;
  std::vector<EpochMetrics> metrics_;
  Budget& budget_;
  const DataParallelGroup* group_;
};

// A signal stopped training, mid-epoch or at an epoch boundary: checkpoint where it stands, mark
// the run paused and stop the command (exit 128 + the signal).
[[noreturn]] void pause_on_signal(Trainer& trainer, const RunDirectory& dir, const TrainOptions& train) {
  trainer.save_checkpoint(dir.checkpoint_path());
  const std::string by = signal_name(stop_cause());
  std::string reason;
  if (const auto partial = trainer.partial_position())
    reason = fmt::format("stopped by {} at epoch {}, step {}/{}", by, (*partial)[0], (*partial)[1], (*partial)[2]);
  else
    reason = fmt::format("stopped by {} after epoch {}/{}", by, trainer.completed_epochs(), train.epochs);
  dir.write_status(RunStatus::kPaused, reason, trainer.completed_epochs(), train.epochs);
  fmt::print("{}: paused, {}; continue with --resume\n", train.label, reason);
  std::fflush(stdout);
  throw Error(fmt::format("stopped by {}; the run is checkpointed {}", by,
                          trainer.partial_position() ? "mid-epoch" : "at an epoch boundary"),
              128 + stop_cause());
}

// The run's estimated memory against --memory-limit, else (CPU runs) what this machine has
// available now; every data-parallel rank checks its share alike.
void check_memory(const RunSpec& run, const DatasetSplits& data, const c10::Device& device,
                  const std::optional<int64_t>& limit, const DataParallelGroup* group) {
  const MemoryLimit memory = memory_limit_for(limit, device.is_cpu());
  if (memory.bytes == 0) return;
  const RunInput input{{data.train.channels(), data.train.height(), data.train.width()}, data.train.num_classes()};
  check_run_memory(run, input, group ? group->world_size() : 1, 1, memory.bytes, memory.where);
}

Outcome train_run(const RunSpec& spec, const RunDirectory& dir, Plan plan, const DatasetSplits& data, int threads,
                  const c10::Device& device, Budget& budget, const std::shared_ptr<DataParallelGroup>& group,
                  const std::optional<int64_t>& memory_limit) {
  check_memory(spec, data, device, memory_limit, group.get());  // before anything is written
  if (!is_lead_rank(group.get())) return train_replica(spec, dir, plan, data, device, group);  // ranks > 0 write nothing
  RunDirectory::Lock lock(dir);
  if (plan == Plan::kExtend) plan = extend_run(spec, dir);
  std::string kept_precision;
  const nlohmann::json resumed = resumed_identity(dir, plan);
  const RunSpec run = with_run_precision(spec, resumed, device, &kept_precision);
  RunSetup setup = start_run(spec, run, dir, plan, data, device, group);
  const TrainOptions& train = setup.train;
  Trainer& trainer = *setup.trainer;
  EpochRecorder recorder(setup, run, dir, plan == Plan::kResume ? resume_from_checkpoint(setup, run, resumed, dir)
                                                                : std::vector<EpochMetrics>{},
                         budget, group.get());
  dir.clear_status();
  print_run_header(setup, data, threads, device, group.get(), kept_precision);

  Trainer::Outcome outcome;
  try {
    outcome = trainer.train([&](const EpochMetrics& m) { recorder.record(m); }, [&](long epoch) { return recorder.start(epoch); });
  } catch (const std::exception& e) {  // diverged, a data error, a full disk or no memory mid-run: the last epoch stays
    const std::string why = failure_line(e);
    std::cerr << "odenet: error: " << why << "\n";
    try {
      dir.write_status(RunStatus::kFailed, why, trainer.completed_epochs(), train.epochs);
    } catch (const std::exception& unwritten) {  // a full disk refuses this too
      std::cerr << "odenet: error: " << failure_line(unwritten) << "\n";
      return Outcome::kUnrecorded;
    }
    return Outcome::kFailed;
  }
  if (outcome == Trainer::Outcome::kInterrupted || outcome == Trainer::Outcome::kStopped) pause_on_signal(trainer, dir, train);
  if (outcome == Trainer::Outcome::kAtBoundary) {
    dir.write_status(RunStatus::kPaused, "time limit " + budget.limit_text, trainer.completed_epochs(), train.epochs);
    fmt::print("{}: paused after epoch {}/{} (time limit {}); continue with --resume\n", train.label,
               trainer.completed_epochs(), train.epochs, budget.limit_text);
    return Outcome::kPaused;
  }
  const auto& metrics = recorder.metrics();
  if (metrics.empty()) throw Error(dir.path() + ": no epochs were trained");
  nlohmann::json summary = summarize(run, metrics, setup.params, setup.macs, data, train, setup.augment, threads);
  summary["world_size"] = group ? group->world_size() : 1;
  if (run.refine) summary["refined"] = refined_summary(setup, run);
  dir.write_summary(summary);
  return Outcome::kFinished;
}

// A child process per run, `jobs` at a time.
RunnerSummary run_as_jobs(const Experiment& experiment, const RunnerOptions& options,
                          const std::vector<std::pair<size_t, Plan>>& plan, const Budget& budget) {
  const int threads = options.threads > 0 ? options.threads : threads_per_process(options.jobs);
  const std::vector<std::string> prefix = self_command();
  // The jobs train at once: each gets its share of the memory limit, or of what the machine has (CPU runs).
  std::optional<int64_t> memory_share;
  const MemoryLimit memory = memory_limit_for(options.memory_limit, options.devices.empty() && select_device(options.device).is_cpu());
  if (memory.bytes > 0) memory_share = memory.bytes / options.jobs;
  std::vector<ChildCommand> commands;
  RunnerSummary summary;
  // Seed-major order: each wave of jobs covers every configuration of the sweep before a second
  // seed of any, so that a campaign cut short still compares all of them.
  std::vector<std::pair<size_t, Plan>> order = plan;
  std::stable_sort(order.begin(), order.end(), [&](const auto& x, const auto& y) {
    return experiment.runs[x.first].seed < experiment.runs[y.first].seed;
  });
  for (const auto& [index, state] : order) {
    if (state == Plan::kFinished) continue;
    const RunSpec& run = experiment.runs[index];
    std::string device = options.device;
    if (!options.devices.empty()) device = fmt::format("cuda:{}", options.devices[commands.size() % options.devices.size()]);
    ChildCommand c{run.experiment + "/" + run.run_id, prefix};
    c.argv.insert(c.argv.end(), {"run", experiment.file, "--only", std::to_string(index), "--threads",
                                 std::to_string(threads), "--device", device, "--results", options.results_root});
    if (options.resume) c.argv.push_back("--resume");
    if (memory_share) c.argv.insert(c.argv.end(), {"--memory-limit", std::to_string(*memory_share)});
    if (budget.deadline) {
      // Each child gets what is left when the jobs start (a queued job may get less than it needs: it pauses).
      double left = std::chrono::duration<double>(*budget.deadline - Clock::now()).count();
      c.argv.insert(c.argv.end(), {"--time-limit", fmt::format("{:.0f}", std::max(0.0, left))});
    }
    commands.push_back(std::move(c));
  }
  fmt::print("{}: {} run(s), {} at a time, {} thread(s) each\n", experiment.name, commands.size(), options.jobs, threads);
  std::fflush(stdout);
  // Runs stop on a signal after their current step; one still running 5 minutes later (stopped, hung) is killed.
  auto failed = run_in_parallel(commands, ParallelOptions{options.jobs, false, 300.0});
  if (stop_signal() != 0)  // the children checkpointed and stopped; so does this command
    throw Error(fmt::format("stopped by {}; odenet status {} shows where each run stands", signal_name(stop_signal()),
                            experiment.file),
                128 + stop_signal());
  for (const auto& [index, state] : plan) {
    if (state == Plan::kFinished) {
      ++summary.skipped;
      continue;
    }
    RunState s = run_dir(options, experiment.runs[index]).state();
    if (s.status == RunStatus::kFinished) ++summary.trained;
    if (s.status == RunStatus::kPaused) ++summary.paused;
  }
  if (!failed.empty())
    throw Error(fmt::format("{} of {} run(s) failed: {}", failed.size(), commands.size(), fmt::join(failed, ", ")));
  return summary;
}

// Rank 0's plan (or its refusal) on every data-parallel rank.
void share_plan(DataParallelGroup& group, std::vector<std::pair<size_t, Plan>>& plan, const std::exception_ptr& refused) {
  auto codes = torch::zeros({static_cast<int64_t>(plan.size()) + 1}, torch::kInt64);
  if (group.rank() == 0) {
    codes[0] = refused ? 1 : 0;
    for (size_t k = 0; k < plan.size(); ++k) codes[static_cast<int64_t>(k) + 1] = static_cast<int64_t>(plan[k].second);
  }
  std::vector<torch::Tensor> shared{codes};
  group.broadcast(shared);
  if (refused) std::rethrow_exception(refused);
  if (shared[0][0].item<int64_t>() != 0) throw Error("data-parallel rank 0 refused the experiment (its output says why)");
  for (size_t k = 0; k < plan.size(); ++k) plan[k].second = static_cast<Plan>(shared[0][static_cast<int64_t>(k) + 1].item<int64_t>());
}

}  // namespace

// `saved` as today's code reads it: upgraded from the format version it was written in, its plugins
// taken from `current` (where a plugin lives is not what the run is: a moved plugin's runs still
// resume), and the model resolved anew (a scheme saved in an older spelling or canonical form
// compares by what it builds, not by its text). Null: a config of a newer odenet, or a model
// today's code cannot build.
nlohmann::json as_read_today(nlohmann::json saved, const nlohmann::json& current) {
  try {
    saved = upgrade_config(std::move(saved), "config.json");
  } catch (const DataError&) {
    return nullptr;
  }
  if (current.contains("plugins")) saved["plugins"] = current["plugins"];
  else saved.erase("plugins");
  if (saved.contains("model") && saved["model"].is_object()) {
    try {
      saved["model"] = to_json(resolve_model(JsonReader(saved["model"], "config.json", "/model")));
    } catch (const ConfigError&) {
      return nullptr;
    }
  }
  return saved;
}

std::optional<std::string> extension_refusal(const nlohmann::json& saved, const nlohmann::json& current) {
  nlohmann::json today = as_read_today(saved, current);
  const nlohmann::json::json_pointer epochs("/train/epochs");
  if (today.is_null() || !today.contains(epochs) || !current.contains(epochs) || !today[epochs].is_number_integer() ||
      !current[epochs].is_number_integer())
    return std::nullopt;
  const long before = today[epochs].get<long>(), after = current[epochs].get<long>();
  today[epochs] = current[epochs];
  if (today != current || after <= before) return std::nullopt;  // more than the epochs differ, or fewer epochs
  if (find_enum(schedule_kind_names(), current["train"]["schedule"].value("name", "")) == ScheduleKind::kCosine)
    return fmt::format("more epochs ({} → {}) cannot extend it: the cosine schedule's rates depend on the total", before, after);
  return "";
}

bool same_run_config(nlohmann::json saved, const nlohmann::json& current) {
  const nlohmann::json today = as_read_today(std::move(saved), current);
  return !today.is_null() && today == current;
}

std::string config_differences(const nlohmann::json& saved, const nlohmann::json& current) {
  const nlohmann::json today = as_read_today(saved, current);
  if (today.is_null()) {
    try {
      config_format_version(saved, "config.json");
    } catch (const DataError& e) {
      return e.what();
    }
    return "its model is one this odenet cannot build";
  }
  std::vector<std::string> lines;
  for (const auto& op : nlohmann::json::diff(today, current)) {
    const std::string path = op["path"].get<std::string>();
    const nlohmann::json::json_pointer ptr(path);
    const std::string was = today.contains(ptr) ? today[ptr].dump() : "absent";
    const std::string now = current.contains(ptr) ? current[ptr].dump() : "absent";
    lines.push_back(fmt::format("{}: {} here, {} in the experiment", path, was, now));
  }
  if (lines.size() > 6) lines.resize(6), lines.push_back("...");
  return fmt::format("{}", fmt::join(lines, "; "));
}

namespace {

Budget command_budget(const RunnerOptions& options) {
  Budget budget;
  if (options.time_limit_seconds) {
    budget.deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(*options.time_limit_seconds * 1000));
    budget.limit_text = format_duration(*options.time_limit_seconds);
  }
  return budget;
}

// The selected runs (--only) and what to do with each, every run directory checked before any run
// trains; data-parallel, rank 0 alone looks and the others follow its plan.
std::vector<std::pair<size_t, Plan>> plan_runs(const Experiment& experiment, const RunnerOptions& options) {
  for (size_t i : options.only)
    if (i >= experiment.runs.size())
      throw ConfigError(fmt::format("--only {}: the experiment has {} run(s) (0-{})", i, experiment.runs.size(),
                                    experiment.runs.size() - 1));
  const auto& group = options.group;
  std::vector<std::pair<size_t, Plan>> plan;
  std::exception_ptr refused;
  for (size_t i = 0; i < experiment.runs.size(); ++i) {
    if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), i) == options.only.end()) continue;
    plan.emplace_back(i, Plan::kNew);
    if (group && (group->rank() != 0 || refused)) continue;
    try {
      plan.back().second = inspect(experiment.runs[i], run_dir(options, experiment.runs[i]), options.resume);
    } catch (const Error&) {
      if (!group) throw;
      refused = std::current_exception();
    }
  }
  if (group) share_plan(*group, plan, refused);
  for (const auto& [index, state] : plan)
    if (group && state == Plan::kExtend)
      throw ConfigError(fmt::format("{}: extending a run to more epochs takes one process; run it without --nproc "
                                    "(or torchrun) first", run_dir(options, experiment.runs[index]).path()));
  return plan;
}

enum class NextRun { kStart, kTooLate, kStopped };

// Whether the next run starts: not after a signal, nor when the time limit leaves no room for an
// epoch. Data-parallel, rank 0 decides for every rank.
NextRun next_run(const RunDirectory& dir, const Budget& budget, DataParallelGroup* group) {
  bool stop = stop_signal() != 0;
  bool late = budget.expired() || (budget.deadline && !budget.epoch_fits(budget.epoch_seconds));
  if (group) stop = rank0_decides(*group, stop), late = rank0_decides(*group, late);
  if (stop) return NextRun::kStopped;
  if (!late) return NextRun::kStart;
  if (is_lead_rank(group)) fmt::print("{}: not started (time limit {} reached)\n", dir.path(), budget.limit_text);
  return NextRun::kTooLate;
}

}  // namespace

RunnerSummary run_experiment(const Experiment& declared, const RunnerOptions& options) {
  const Experiment experiment = with_existing_run_ids(declared, options.results_root);
  install_stop_handlers();
  Budget budget = command_budget(options);
  const auto& group = options.group;
  if (group && options.jobs > 1) throw ConfigError("--jobs: a data-parallel run trains one run at a time");
  const auto plan = plan_runs(experiment, options);
  const auto to_train = std::count_if(plan.begin(), plan.end(), [](const auto& p) { return p.second != Plan::kFinished; });
  if (options.jobs > 1 && to_train > 1) return run_as_jobs(experiment, options, plan, budget);

  int threads = configure_threads(options.threads);
  const c10::Device device = select_device(options.device);
  LoadedDatasets datasets;
  RunnerSummary summary;
  std::vector<std::string> failed, unrecorded;
  for (size_t p = 0; p < plan.size(); ++p) {
    const auto& [index, state] = plan[p];
    const RunSpec& run = experiment.runs[index];
    const RunDirectory dir = run_dir(options, run);
    if (state == Plan::kFinished) {
      if (is_lead_rank(group.get())) fmt::print("{}: finished earlier, skipped\n", dir.path());
      ++summary.skipped;
      continue;
    }
    const NextRun next = next_run(dir, budget, group.get());
    if (next == NextRun::kTooLate) continue;
    if (next == NextRun::kStopped) {
      summary.stopped = static_cast<int>(std::count_if(plan.begin() + static_cast<std::ptrdiff_t>(p), plan.end(),
                                                       [](const auto& q) { return q.second != Plan::kFinished; }));
      break;
    }
    switch (train_run(run, dir, state, datasets.of(run), threads, device, budget, group, options.memory_limit)) {
      case Outcome::kFinished:
        ++summary.trained;
        break;
      case Outcome::kPaused:
        ++summary.paused;
        break;
      case Outcome::kUnrecorded:
        unrecorded.push_back(run.experiment + "/" + run.run_id);
        [[fallthrough]];
      case Outcome::kFailed:  // the others still train: one diverging configuration does not end a sweep
        failed.push_back(run.experiment + "/" + run.run_id);
        if (group)  // ...unless the ranks may disagree on where they stopped: all end here
          throw Error(fmt::format("{}: failed on data-parallel rank {}; every rank stops", failed.back(), group->rank()));
        break;
    }
  }
  if (!failed.empty())
    throw Error(fmt::format("{} run(s) failed ({}); {}", failed.size(), fmt::join(failed, ", "),
                            unrecorded.empty() ? "status.json in each run directory says why"
                                               : fmt::format("the errors above say why (no status.json could be written "
                                                             "for {})", fmt::join(unrecorded, ", "))));
  return summary;
}

}  // namespace odenet
