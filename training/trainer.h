// Supervised training of any classifier: SGD with momentum/Nesterov and
// selective weight decay, a per-step schedule, mixed precision, evaluation
// every epoch, seeded and repeatable (batches come from a BatchSource whose
// epoch e depends only on (seed, e), and stochastic layers draw from a
// generator seeded by (seed, e), so a resumed run replays an uninterrupted
// one), and checkpoints of model + optimizer state.
//
// The step never waits for the device: losses and correct counts add up in
// device tensors, read back when the progress line is due (at most a few
// times per second, where a non-finite loss is caught) and once per epoch.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/optim/sgd.h>

#include <array>
#include <climits>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch_source.h"
#include "core/classifier.h"
#include "core/data_parallel.h"
#include "core/parameter_blend.h"
#include "training/precision.h"
#include "training/step_phases.h"
#include "training/train_options.h"

namespace odenet {

/// The training loss over a window of steps (TensorBoard's per-step curve): the mean loss of the
/// images of the steps since the previous record (rank 0's shard when data-parallel).
struct StepRecord {
  int64_t step = 0;  ///< 1-based over the whole run: (epoch − 1) · steps per epoch + step in the epoch
  double loss = 0;
  double lr = 0;     ///< the learning rate of the window's last step
};
/// A record every this many steps (and at an epoch's last step).
constexpr int64_t kStepRecordInterval = 10;

struct EpochMetrics {
  long epoch = 0;  ///< 1-based
  double lr = 0;
  double train_loss = 0, train_error = 0;
  double test_loss = 0, test_error = 0;
  /// Test images whose label is not among the 5 largest logits (%), for more than 5 classes.
  std::optional<double> test_top5_error;
  double train_seconds = 0, epoch_seconds = 0, images_per_second = 0;
  /// The learned k_n after the epoch, per step (module path → mean over channels); empty without any.
  std::vector<std::pair<std::string, double>> k;
  /// Per-channel k_n after the epoch, per step whose k has more than one element (histograms).
  std::vector<std::pair<std::string, std::vector<double>>> k_channels;
  /// The training loss every kStepRecordInterval steps.
  std::vector<StepRecord> steps;
};

nlohmann::json to_json(const EpochMetrics& m);
EpochMetrics epoch_metrics_from_json(const nlohmann::json& j);
/// Converts the model's 4-D parameters to channels-last in place (LibTorch's C++ modules have no
/// to(memory_format)).
void to_channels_last(torch::nn::Module& model);
/// Reads a run's metrics.jsonl (one EpochMetrics per line), keeping epochs <= `up_to_epoch`;
/// a malformed line is a DataError naming the file and the line.
std::vector<EpochMetrics> read_metrics_file(const std::string& path, long up_to_epoch = LONG_MAX);

class Trainer {
 public:
  /// `train` and `test` must outlive the trainer.
  Trainer(std::shared_ptr<ClassifierImpl> model, BatchSource& train, BatchSource& test, TrainOptions options);

  enum class Outcome {
    kFinished,      ///< every epoch trained
    kAtBoundary,    ///< `start_epoch` declined the next epoch (a time limit)
    kInterrupted,   ///< `stop_requested` after a step: the checkpoint holds the partial epoch
    kStopped,       ///< `stop_requested` at an epoch boundary (asked during an epoch's last step)
  };
  /// Trains epochs `completed_epochs()+1 .. epochs` (continuing a partial epoch a checkpoint
  /// holds), calling `on_epoch` after each; before an epoch, `options.stop_requested()` or
  /// `start_epoch(epoch)` returning false stops training there; after any step but an epoch's last,
  /// `options.stop_requested()` returning true stops it there (asked after the update, so a request
  /// made during a step stops after that step; data-parallel, each rank asks between its forward
  /// and backward, and the ranks' answers travel with the gradients).
  Outcome train(const std::function<void(const EpochMetrics&)>& on_epoch,
                const std::function<bool(long)>& start_epoch = {});
  /// Where an interrupted epoch stands: {epoch, steps done, steps in the epoch}; empty otherwise.
  std::optional<std::array<int64_t, 3>> partial_position() const;
  /// The current model on the test source.
  struct Evaluation {
    double loss = 0, error = 0;           ///< mean cross-entropy, top-1 error (%)
    std::optional<double> top5_error;     ///< top-5 error (%), for more than 5 classes
  };
  Evaluation evaluate();
  /// Training throughput in images/s: `steps` timed steps after `warmup` steps, over the train
  /// source's passes from epoch 1 at the first epoch's learning rate (the model changes; no checkpoint).
  /// With `phases`, each timed step's phase times are appended to it.
  double measure_throughput(int64_t steps, int64_t warmup, StepPhases* phases = nullptr);

  /// Atomic; the file carries a CRC-32 and the run's identity (training/checkpoint_file.h).
  void save_checkpoint(const std::string& path) const;
  /// Refuses a damaged file or another run's checkpoint (DataError naming the file).
  void load_checkpoint(const std::string& path);
  long completed_epochs() const { return completed_epochs_; }
  /// After the model's modules were replaced (depth refinement, between epochs): new modules go to
  /// the device and memory format, the optimiser is rebuilt over the model's parameters, a kept
  /// parameter keeps its state (momentum) and a new one gets the blend of its sources' states.
  void parameters_replaced(const std::vector<ParameterBlend>& blends);
  /// Who writes the checkpoints, from now on (e.g. after the model changed shape).
  void set_identity(const nlohmann::json& identity) { options_.identity = identity; }
  const nlohmann::json& identity() const { return options_.identity; }

 private:
  struct Sums;
  /// An epoch stopped after `steps_done` of `steps`: its running sums and the generator state.
  struct PartialEpoch {
    long epoch = 0;
    int64_t steps_done = 0, steps = 0;
    double loss_sum = 0, seconds = 0;
    int64_t correct = 0, seen = 0;
    torch::Tensor generator_state;
    std::vector<StepRecord> records;  ///< the epoch's step records so far
  };
  /// Empty when stopped by `stop_requested` (partial_ then holds the epoch).
  std::optional<EpochMetrics> train_epoch(long epoch);
  /// Takes up epoch `epoch` where a stop left it (its sums, step records, time and generator
  /// state; returns the first step to train), or seeds its stochastic layers and returns 0.
  int64_t continue_partial_epoch(long epoch, Sums& sums, EpochMetrics& m, double& seconds_before, at::Generator& generator);
  /// Keeps what the rest of an epoch stopped after `steps_done` needs to continue exactly.
  void keep_partial_epoch(long epoch, int64_t steps_done, int64_t steps, const Sums& sums, double seconds,
                          const EpochMetrics& m, at::Generator& generator);
  /// The running loss sum, read back; a non-finite loss, or one above the divergence bound, over
  /// steps (first_unchecked, done] is an Error naming them. Resets the running maximum.
  double checked_loss_sum(Sums& sums, long epoch, int64_t first_unchecked, int64_t done, double lr);
  /// Returns true when training must stop after this step: `may_stop` (not an epoch's last step)
  /// and a stop request on this or, data-parallel, any rank.
  bool train_step(const Batch& batch, Sums& sums, bool may_stop = false);
  /// [Σ loss, correct, seen] of `sums` over all ranks.
  std::array<double, 3> totals(const Sums& sums);
  /// After an epoch's steps: the ranks' BatchNorm statistics averaged and their parameters checked equal.
  void reconcile_replicas(long epoch);
  void set_learning_rate(double lr);
  /// SGD over the model's parameters in two groups (decayed, not decayed); attaches the
  /// data-parallel gradient hooks.
  void build_optimizer();

  std::shared_ptr<ClassifierImpl> model_;
  BatchSource& train_;
  BatchSource& test_;
  TrainOptions options_;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<LossScaler> scaler_;  ///< fp16 only
  long completed_epochs_ = 0;
  std::optional<PartialEpoch> partial_;
  StepPhases* phases_ = nullptr;  ///< set while measure_throughput times its steps
};

/// Splits the model's parameters into a decayed and a non-decayed group by `excludes`.
std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> decay_groups(
    const torch::nn::Module& model, const std::vector<DecayExclusion>& excludes);

}  // namespace odenet
