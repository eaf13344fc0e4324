#include "experiments/run_setup.h"

#include <fmt/format.h>

#include "architectures/presets.h"
#include "architectures/torchvision_names.h"
#include "core/error.h"
#include "core/stop_signal.h"
#include "core/mac_count.h"
#include "core/state_dict.h"
#include "discretizations/scheme.h"

namespace odenet {

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
  if (group)
    for (auto* o : {&train_loader, &test_loader}) o->shard = group->rank(), o->shards = group->world_size();
  s.train_loader = std::make_unique<Loader>(data.train, train_loader);
  s.test_loader = std::make_unique<Loader>(data.test, test_loader);
  torch::manual_seed(run.seed);
  auto scheme = build_scheme(scheme_registry(), run.model.scheme, run.source, "/model/scheme");
  s.model = build_model(run.model, *scheme, data.train.channels(), data.train.num_classes());
  if (!s.train.init_from.empty()) {
    if (s.train.init_names == "torchvision" && run.model.layout != "imagenet_resnet")
      throw ConfigError(fmt::format("{}: /train/init_names: torchvision names fit the imagenet_resnet layout, not '{}'",
                                    run.source, run.model.layout));
    load_state_dict(*s.model, read_state_dict(s.train.init_from), s.train.init_from + " (train.init_from of " + run.source + ")",
                    s.train.init_names == "torchvision" ? NameMap(torchvision_name) : NameMap());
  }
  s.params = count_parameters(*s.model);
  s.macs = macs_per_image(*s.model, data.train.channels(), data.train.height(), data.train.width());
  s.trainer = std::make_unique<Trainer>(s.model, *s.train_loader, *s.test_loader, s.train);
  return s;
}

}  // namespace odenet
