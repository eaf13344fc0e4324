// The options of one training run, config.json's "train" object as the trainer reads it, with
// its strict reader and writer. The run adds two keys of the same object, read by the
// experiment loader: "precision" (a request, resolved per machine) and "refine" (depth refinement,
// an architecture's business).
#pragma once
#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/data_parallel.h"
#include "core/json_reader.h"
#include "core/state_dict.h"
#include "training/lr_schedule.h"
#include "training/optimizer_options.h"
#include "training/precision.h"

namespace odenet {

struct TrainOptions {
  long epochs = 1;               ///< "epochs": passes over the training split
  long batch_size = 128;         ///< "batch_size": images per step (the global batch when data-parallel)
  long eval_batch_size = 500;    ///< "eval_batch_size": images per evaluation batch
  uint64_t seed = 0;             ///< the run's seed (the sweep's, not a key of "train")
  bool channels_last = true;     ///< "channels_last": NHWC activations (faster convolutions on CPUs)
  /// Where the model lives (the batch sources deliver their batches there).
  c10::Device device = c10::Device(c10::kCPU);
  /// The arithmetic of forward passes (resolved: see resolve_precision).
  Precision precision = Precision::kFp32;
  /// "label_smoothing": ε in [0, 1); the training target is (1 − ε) one-hot + ε / classes (the
  /// test loss stays plain cross-entropy, comparable across ε).
  double label_smoothing = 0;
  OptimizerOptions optimizer;    ///< "optimizer": SGD's rate, momentum, Nesterov, weight decay
  ScheduleOptions schedule;      ///< "schedule": the learning rate per step
  std::string label;  ///< prefix of progress lines
  /// Seconds between read-backs of the running loss (progress line, divergence check).
  double check_interval = 0.5;
  /// "divergence" (null: off): a step loss above divergence × ln(classes) — the cross-entropy of a uniform guess — stops
  /// training as diverged, as a non-finite loss does; empty: only non-finite losses do.
  std::optional<double> divergence = 1e4;
  /// "init_from": a state-dict file (odenet export, or Python's torch.save(dict(...))) the model starts from;
  /// empty: the builder's initialisation.
  std::string init_from;
  /// "init_names": the names init_from uses: odenet's (the module tree's) or torchvision's (ImageNet ResNets).
  StateDictNaming init_names = StateDictNaming::kOdenet;
  /// Who writes the checkpoints (e.g. {"config_hash", "seed"}): stored in each and checked on loading.
  nlohmann::json identity;
  /// Asked after every step; true stops training there (a signal).
  std::function<bool()> stop_requested;
  /// Data-parallel training: the ranks of this run (the batch sources deliver each rank's shard);
  /// null: one process. Any rank's stop request stops every rank at the same step.
  std::shared_ptr<DataParallelGroup> group;
  /// "sync_batchnorm": data-parallel BatchNorm statistics over the global batch (off: each rank's share).
  bool sync_batchnorm = false;
  /// Progress lines (off on data-parallel ranks other than 0).
  bool show_progress = true;
};

/// Reads the keys above from `r` (a "train" object); the caller reads its own keys of the same
/// object (precision, refine) and calls `r.finish()`. A missing init_from file is a ConfigError.
TrainOptions read_train_options(const JsonReader& r);
/// The keys above as config.json holds them (keys added after the first release only when set,
/// so configs written before them still resume).
nlohmann::json to_json(const TrainOptions& t);

}  // namespace odenet
