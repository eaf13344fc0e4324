// Everything a run trains with, built from its resolved spec: the augmentation
// with the data set's statistics, the loaders, the model and the trainer.
// The runner and the throughput measurement build runs the same way.
#pragma once
#include <array>
#include <map>
#include <memory>
#include <string>

#include "data/loader.h"
#include "experiments/experiment.h"
#include "training/trainer.h"

namespace odenet {

/// The data sets of a command's runs in memory, each loaded once (runs with the same resolved
/// dataset object share it); references stay valid for the object's life.
class LoadedDatasets {
 public:
  const DatasetSplits& of(const RunSpec& run);

 private:
  std::map<std::string, DatasetSplits> loaded_;  ///< keyed by the resolved dataset JSON
};

struct RunSetup {
  TrainOptions train;       ///< with the device and the resolved precision
  AugmentOptions augment;   ///< with the normalisation in effect
  std::unique_ptr<Loader> train_loader, test_loader;
  std::shared_ptr<ClassifierImpl> model;
  int64_t params = 0, macs = 0;
  std::array<int64_t, 3> input_shape{};  ///< channels, height, width of the images
  std::unique_ptr<Trainer> trainer;
  std::string notice;       ///< a setting the setup overrode, and why (empty: none)
  std::shared_ptr<const Scheme> scheme;
  int refinements = 0;      ///< train.refine: refinements applied to the model so far
};

/// Builds run `run` on `data` (which must outlive the setup) for `device`; `identity` goes into
/// every checkpoint the trainer writes and is checked on loading one. With `group`, this process
/// is one data-parallel rank: its loaders deliver its shard of every batch.
RunSetup setup_run(const RunSpec& run, const DatasetSplits& data, const c10::Device& device,
                   const nlohmann::json& identity = nullptr, std::shared_ptr<DataParallelGroup> group = nullptr);

/// Training by depth refinement (train.refine). Refinement r (0-based) refines every stage by the
/// schedule's factor, Δt = factor^−(r+1), each new step with fields of its own; the trainer's
/// optimiser follows (momentum blended like the parameters) and the checkpoints count it. Returns
/// the progress line.
std::string refine_run(RunSetup& setup, const RunSpec& run);
/// Whether the run refines before `epoch` (epoch − 1 is the next of its at_epochs).
bool refines_before(const RunSetup& setup, const RunSpec& run, long epoch);
/// Before a checkpoint is loaded: the refinements its header `identity` counts (read_checkpoint_identity
/// of `checkpoint`, named in errors), so that the model has its shape.
void refine_as_checkpointed(RunSetup& setup, const RunSpec& run, const nlohmann::json& identity, const std::string& checkpoint);

/// What a refined run ended as: {"refinements", "stage_steps", "dt", "depth"} (depth: weighted layers
/// along the network, counted as the layout counts them).
nlohmann::json refined_summary(const RunSetup& setup, const RunSpec& run);

}  // namespace odenet
