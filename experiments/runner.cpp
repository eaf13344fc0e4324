#include "experiments/runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "architectures/presets.h"
#include "core/atomic_file.h"
#include "core/device.h"
#include "core/error.h"
#include "core/mac_count.h"
#include "core/progress.h"
#include "core/threads.h"
#include "discretizations/scheme.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

enum class RunState { kNew, kFinished, kUnfinished };

// An exclusive flock on <dir>/.lock for the life of the run; released by the kernel if the process dies.
class RunLock {
 public:
  explicit RunLock(const std::string& dir) : path_(dir + "/.lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd_ < 0) throw Error(path_ + ": cannot create lock file");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw ConfigError(dir + ": run is in progress in another process; wait for it or stop it");
    }
  }
  ~RunLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool is_locked(const std::string& dir) {
  std::string path = dir + "/.lock";
  if (!fs::exists(path)) return false;
  int fd = ::open(path.c_str(), O_RDWR);
  if (fd < 0) return false;
  bool locked = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return locked;
}

RunState inspect(const RunSpec& run, const std::string& dir, bool resume) {
  if (!fs::exists(dir)) return RunState::kNew;
  if (is_locked(dir)) throw ConfigError(dir + ": run is in progress in another process; wait for it or stop it");
  if (!fs::exists(dir + "/config.json"))
    throw ConfigError(dir + ": exists but holds no config.json; move it away (odenet never overwrites a run directory)");
  nlohmann::json saved = read_json_file(dir + "/config.json");
  if (saved != run.config)
    throw ConfigError(dir + ": holds a run with a different config; rename the experiment or move the directory away");
  if (fs::exists(dir + "/summary.json")) return RunState::kFinished;
  if (!resume)
    throw ConfigError(dir + ": unfinished run exists; pass --resume to continue it (odenet never restarts it silently)");
  return RunState::kUnfinished;
}

void write_metrics(const std::string& path, const std::vector<EpochMetrics>& metrics) {
  std::string text;
  for (const auto& m : metrics) text += to_json(m).dump() + "\n";
  write_file_atomic(path, text);
}

// Peak resident memory of this process so far, in MiB (Linux reports ru_maxrss in KiB).
double peak_memory_mib() {
  struct rusage usage;
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

nlohmann::json summarize(const RunSpec& run, const std::vector<EpochMetrics>& metrics, int64_t params, int64_t macs,
                         const DatasetSplits& data, const TrainOptions& train, int threads) {
  double best = 1e300, seconds = 0, rate = 0;
  long best_epoch = 0;
  for (const auto& m : metrics) {
    if (m.test_error < best) best = m.test_error, best_epoch = m.epoch;
    seconds += m.epoch_seconds;
    rate += m.images_per_second;
  }
  const auto& last = metrics.back();
  double n = static_cast<double>(metrics.size());
  return {{"experiment", run.experiment},
          {"run", run.run_id},
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
          {"torch_version", TORCH_VERSION},
          {"reference", run.reference ? nlohmann::json(*run.reference) : nlohmann::json()},
          {"data",
           {{"train_size", data.train.size()},
            {"test_size", data.test.size()},
            {"shape", {data.train.channels(), data.train.height(), data.train.width()}},
            {"classes", data.train.num_classes()},
            {"mean", train.augment.mean},
            {"std", train.augment.std}}}};
}

void train_run(const RunSpec& run, const std::string& dir, RunState state, const DatasetSplits& data, int threads,
               const c10::Device& device) {
  fs::create_directories(dir);
  RunLock lock(dir);
  if (state == RunState::kNew) write_file_atomic(dir + "/config.json", run.config.dump(2) + "\n");

  TrainOptions train = run.train;
  train.label = run.experiment + "/" + run.run_id;
  train.device = device;
  if (train.augment.mean.empty()) channel_statistics(data.train, train.augment.mean, train.augment.std);
  if (static_cast<int64_t>(train.augment.mean.size()) != data.train.channels())
    throw ConfigError(fmt::format("{}: /dataset/augment/mean: {} entries but the images have {} channel(s)", run.source,
                                  train.augment.mean.size(), data.train.channels()));

  torch::manual_seed(run.seed);
  auto scheme = build_scheme(scheme_registry(), run.model.scheme, run.source, "/model/scheme");
  auto model = build_model(run.model, *scheme, data.train.channels(), data.train.num_classes());
  int64_t params = count_parameters(*model);
  int64_t macs = macs_per_image(*model, data.train.channels(), data.train.height(), data.train.width());
  Trainer trainer(model, data, train);

  std::string checkpoint = dir + "/checkpoint.pt", metrics_path = dir + "/metrics.jsonl";
  std::vector<EpochMetrics> metrics;
  if (state == RunState::kUnfinished && fs::exists(checkpoint)) {
    trainer.load_checkpoint(checkpoint);
    metrics = read_metrics_file(metrics_path, trainer.completed_epochs());
    if (static_cast<long>(metrics.size()) != trainer.completed_epochs())
      throw DataError(fmt::format("{}: holds {} epochs but the checkpoint is at epoch {}", metrics_path, metrics.size(),
                                  trainer.completed_epochs()));
    fmt::print("{}: resuming after epoch {}/{}\n", train.label, trainer.completed_epochs(), train.epochs);
  }
  fmt::print("{}: {} params, {} train / {} test images {}x{}x{}, {} thread(s), {}\n", train.label, params,
             data.train.size(), data.test.size(), data.train.channels(), data.train.height(), data.train.width(),
             threads, device.str());
  std::fflush(stdout);
  trainer.train([&](const EpochMetrics& m) {
    metrics.push_back(m);
    write_metrics(metrics_path, metrics);  // metrics before checkpoint: a kill in between redoes the epoch
    trainer.save_checkpoint(checkpoint);
    double remaining = m.epoch_seconds * static_cast<double>(train.epochs - m.epoch);
    fmt::print("{}: epoch {}/{} lr {:.4g} train loss {:.4f} err {:.2f}% | test loss {:.4f} err {:.2f}% | {:.0f} img/s "
               "{:.1f}s | ETA {}\n",
               train.label, m.epoch, train.epochs, m.lr, m.train_loss, m.train_error, m.test_loss, m.test_error,
               m.images_per_second, m.epoch_seconds, format_duration(remaining));
    std::fflush(stdout);
  });
  if (metrics.empty()) throw Error(dir + ": no epochs were trained");
  write_file_atomic(dir + "/summary.json",
                    summarize(run, metrics, params, macs, data, train, threads).dump(2) + "\n");
}

}  // namespace

int run_experiment(const Experiment& experiment, const RunnerOptions& options) {
  int threads = configure_threads(options.threads);
  const c10::Device device = select_device(options.device);
  std::vector<std::pair<const RunSpec*, RunState>> plan;
  for (const auto& run : experiment.runs) {  // check every run directory before training any
    std::string dir = options.results_root + "/" + run.experiment + "/" + run.run_id;
    plan.emplace_back(&run, inspect(run, dir, options.resume));
  }
  std::map<std::string, DatasetSplits> datasets;  // keyed by the resolved dataset JSON
  for (const auto& [run, state] : plan) {
    if (state == RunState::kFinished) continue;
    std::string key = run->config["dataset"].dump();
    if (!datasets.count(key)) datasets[key] = load_dataset(run->dataset);
  }
  int trained = 0;
  for (const auto& [run, state] : plan) {
    std::string dir = options.results_root + "/" + run->experiment + "/" + run->run_id;
    if (state == RunState::kFinished) {
      fmt::print("{}: finished earlier, skipped\n", dir);
      continue;
    }
    train_run(*run, dir, state, datasets.at(run->config["dataset"].dump()), threads, device);
    ++trained;
  }
  return trained;
}

}  // namespace odenet
