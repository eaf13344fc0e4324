// Everything a run trains with, built from its resolved spec: the augmentation
// with the data set's statistics, the loaders, the model and the trainer.
// The runner and the throughput measurement build runs the same way.
#pragma once
#include <memory>
#include <string>

#include "core/trainer.h"
#include "data/loader.h"
#include "experiments/experiment.h"

namespace odenet {

struct RunSetup {
  TrainOptions train;       ///< with the device and the resolved precision
  AugmentOptions augment;   ///< with the normalisation in effect
  std::unique_ptr<Loader> train_loader, test_loader;
  std::shared_ptr<ClassifierImpl> model;
  int64_t params = 0, macs = 0;
  std::unique_ptr<Trainer> trainer;
  std::string notice;       ///< a setting the setup overrode, and why (empty: none)
};

/// Builds run `run` on `data` (which must outlive the setup) for `device`; `identity` goes into
/// every checkpoint the trainer writes and is checked on loading one. With `group`, this process
/// is one data-parallel rank: its loaders deliver its shard of every batch.
RunSetup setup_run(const RunSpec& run, const DatasetSplits& data, const c10::Device& device,
                   const nlohmann::json& identity = nullptr, std::shared_ptr<DataParallelGroup> group = nullptr);

}  // namespace odenet
