#include "experiments/run_setup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "architectures/depth_refinement.h"
#include "architectures/field_registry.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "core/mac_count.h"
#include "core/state_dict.h"
#include "core/threads.h"
#include "discretizations/scheme.h"
#include "training/stop_signal.h"

namespace odenet {

const DatasetSplits& LoadedDatasets::of(const RunSpec& run) {
  const std::string key = run.config["dataset"].dump();
  auto found = loaded_.find(key);
  if (found == loaded_.end()) found = loaded_.emplace(key, load_dataset(run.dataset)).first;
  return found->second;
}

RunSetup setup_run(const RunSpec& run, const DatasetSplits& data, const c10::Device& device,
                   const nlohmann::json& identity, std::shared_ptr<DataParallelGroup> group) {
  RunSetup s;
  s.train = run.train;
  s.train.label = run.experiment + "/" + run.run_id;
  s.train.device = device;
  s.train.precision = resolve_precision(run.precision, device);
  s.train.identity = identity;
  s.train.stop_requested = [] { return stop_signal() != 0; };  // set once `odenet run` installs its handlers
  if (s.train.channels_last && s.train.precision == Precision::kBf16 && device.is_cpu() &&
      !cpu_channels_last_bf16_weight_gradients_accurate()) {
    s.train.channels_last = false;
    s.notice = "bf16 with contiguous tensors: this CPU's channels-last bf16 convolution sums weight gradients in bf16";
  }
  s.augment = run.augment;
  s.augment.channels_last = s.train.channels_last;
  if (s.augment.mean.empty()) channel_statistics(data.train, s.augment.mean, s.augment.std);
  if (static_cast<int64_t>(s.augment.mean.size()) != data.train.channels())
    throw ConfigError(fmt::format("{}: /dataset/augment/mean: {} entries but the images have {} channel(s)", run.source,
                                  s.augment.mean.size(), data.train.channels()));
  s.train.group = group;
  s.train.show_progress = is_lead_rank(group.get());
  LoaderOptions train_loader{s.train.batch_size, true, run.seed, s.augment, device};
  LoaderOptions test_loader{s.train.eval_batch_size, false, run.seed, s.augment, device};
  // Loader threads: as the dataset object says, else one for data in memory and the process's
  // share of the cores for images decoded every pass.
  const int ranks = group ? group->world_size() : 1;
  const int workers = run.dataset.workers > 0 ? run.dataset.workers : data.train.stream ? threads_per_process(ranks) : 1;
  for (auto* o : {&train_loader, &test_loader}) {
    o->workers = workers;
    if (group) o->shard = group->rank(), o->shards = group->world_size();
  }
  s.train_loader = std::make_unique<Loader>(data.train, train_loader);
  s.test_loader = std::make_unique<Loader>(data.test, test_loader);
  torch::manual_seed(run.seed);
  const auto& scheme = run.model.scheme;
  s.model = build_model(run.model, *scheme, data.train.channels(), data.train.num_classes());
  if (!s.train.init_from.empty()) {
    const NameMap names = state_dict_name_map(run.model.layout, s.train.init_names, run.source + ": /train/init_names");
    load_state_dict(*s.model, read_state_dict(s.train.init_from), s.train.init_from + " (train.init_from of " + run.source + ")",
                    names);
  }
  s.params = count_parameters(*s.model);
  s.input_shape = {data.train.channels(), data.train.height(), data.train.width()};
  s.macs = macs_per_image(*s.model, data.train.channels(), data.train.height(), data.train.width());
  s.trainer = std::make_unique<Trainer>(s.model, *s.train_loader, *s.test_loader, s.train);
  s.scheme = scheme;
  return s;
}

namespace {

// Δt of the network's steps after `refinements` refinements by the schedule's factor.
double refined_step_size(const RefineSchedule& schedule, int refinements) {
  return std::pow(static_cast<double>(schedule.factor), -refinements);
}

}  // namespace

std::string refine_run(RunSetup& setup, const RunSpec& run) {
  const RefineSchedule& schedule = *run.refine;
  auto network = std::dynamic_pointer_cast<StagedNetworkImpl>(setup.model);
  if (!network) throw ConfigError(run.source + ": /train/refine: the model has no time-stepping stages");
  const double step_size = refined_step_size(schedule, setup.refinements);
  std::vector<ParameterBlend> blends;
  const bool training = setup.model->is_training();
  refine_network(*network, *setup.scheme, RefineOptions{schedule.factor, schedule.interpolation, step_size, true, true}, &blends);
  setup.model->train(training);
  setup.trainer->parameters_replaced(blends);
  ++setup.refinements;
  nlohmann::json identity = setup.trainer->identity();
  identity["refinements"] = setup.refinements;
  setup.trainer->set_identity(identity);
  setup.params = count_parameters(*setup.model);
  setup.macs = macs_per_image(*setup.model, setup.input_shape[0], setup.input_shape[1], setup.input_shape[2]);
  return fmt::format("refined ×{} ({} interpolation): {} steps per stage, Δt = {:.4g}, {} params",
                     schedule.factor, enum_name(depth_interpolation_names(), schedule.interpolation),
                     fmt::join(stage_step_counts(*network), "-"), refined_step_size(schedule, setup.refinements),
                     setup.params);
}

bool refines_before(const RunSetup& setup, const RunSpec& run, long epoch) {
  if (!run.refine) return false;
  const auto& at = run.refine->at_epochs;
  return setup.refinements < static_cast<int>(at.size()) && at[static_cast<size_t>(setup.refinements)] == epoch - 1;
}

void refine_as_checkpointed(RunSetup& setup, const RunSpec& run, const nlohmann::json& identity, const std::string& checkpoint) {
  if (!run.refine) return;
  const int count = identity.is_object() ? identity.value("refinements", 0) : 0;
  if (count < 0 || count > static_cast<int>(run.refine->at_epochs.size()))
    throw DataError(fmt::format("{}: the checkpoint counts {} refinement(s); train.refine has {}", checkpoint, count,
                                run.refine->at_epochs.size()));
  while (setup.refinements < count) refine_run(setup, run);
}

nlohmann::json refined_summary(const RunSetup& setup, const RunSpec& run) {
  auto network = std::dynamic_pointer_cast<StagedNetworkImpl>(setup.model);
  const auto steps = stage_step_counts(*network);
  int64_t total = 0;
  for (auto n : steps) total += n;
  const int64_t per_step = field_registry().get(run.model.block).layers * (setup.scheme->info().partitioned ? 2 : 1);
  return {{"refinements", setup.refinements},
          {"stage_steps", steps},
          {"dt", refined_step_size(*run.refine, setup.refinements)},
          {"depth", per_step * total + 2}};
}

}  // namespace odenet
