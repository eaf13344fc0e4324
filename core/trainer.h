// Supervised training of any classifier: SGD with momentum/Nesterov and
// selective weight decay, a per-step schedule, evaluation every epoch,
// seeded and repeatable (the data order and augmentation of epoch e depend
// only on (seed, e), so a resumed run replays an uninterrupted one), and
// checkpoints of model + optimizer state.
#pragma once
#include <torch/optim/sgd.h>

#include <climits>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/augmentation.h"
#include "core/classifier.h"
#include "core/dataset.h"
#include "core/lr_schedule.h"

namespace odenet {

struct OptimizerOptions {
  double lr = 0.1;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 1e-4;
  /// Parameter categories without weight decay: "bn" (BatchNorm affine),
  /// "bias" (every bias), "k" (LM coefficients `k`, or `s` in the official parametrisation).
  std::vector<std::string> decay_excludes;
};

struct TrainOptions {
  long epochs = 1;
  long batch_size = 128;
  long eval_batch_size = 500;
  uint64_t seed = 0;
  bool channels_last = true;
  /// Where the model lives and batches are sent (data are prepared on the CPU).
  c10::Device device = c10::Device(c10::kCPU);
  OptimizerOptions optimizer;
  ScheduleOptions schedule;
  AugmentOptions augment;
  std::string label;  ///< prefix of progress lines
};

struct EpochMetrics {
  long epoch = 0;  ///< 1-based
  double lr = 0;
  double train_loss = 0, train_error = 0;
  double test_loss = 0, test_error = 0;
  double train_seconds = 0, epoch_seconds = 0, images_per_second = 0;
};

nlohmann::json to_json(const EpochMetrics& m);
EpochMetrics epoch_metrics_from_json(const nlohmann::json& j);
/// Reads a run's metrics.jsonl (one EpochMetrics per line), keeping epochs <= `up_to_epoch`;
/// a malformed line is a DataError naming the file and the line.
std::vector<EpochMetrics> read_metrics_file(const std::string& path, long up_to_epoch = LONG_MAX);

class Trainer {
 public:
  Trainer(std::shared_ptr<ClassifierImpl> model, const DatasetSplits& data, TrainOptions options);

  /// Trains epochs `completed_epochs()+1 .. epochs`, calling `on_epoch` after each.
  void train(const std::function<void(const EpochMetrics&)>& on_epoch);
  /// Test loss and error (%) of the current model.
  std::pair<double, double> evaluate();

  void save_checkpoint(const std::string& path) const;  ///< atomic
  void load_checkpoint(const std::string& path);
  long completed_epochs() const { return completed_epochs_; }

 private:
  EpochMetrics train_epoch(long epoch);

  std::shared_ptr<ClassifierImpl> model_;
  const DatasetSplits& data_;
  TrainOptions options_;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::vector<double> group_base_lr_;
  long completed_epochs_ = 0;
};

/// Splits the model's parameters into a decayed and a non-decayed group by `excludes`.
std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> decay_groups(
    const torch::nn::Module& model, const std::vector<std::string>& excludes);

}  // namespace odenet
