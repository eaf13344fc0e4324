#include "training/train_options.h"

#include <filesystem>

#include "core/expand_path.h"

namespace odenet {
namespace {

// init_from and init_names: a state-dict file the model starts from.
void read_init(const JsonReader& r, TrainOptions& t) {
  if (r.has("init_from")) {
    t.init_from = expand_path(r, "init_from", r.string("init_from"));
    if (!std::filesystem::is_regular_file(t.init_from))
      r.fail("init_from", "no such state-dict file '" + t.init_from + "'");
    t.init_names = enum_value(r, "init_names", state_dict_namings(), StateDictNaming::kOdenet);
  } else if (r.has("init_names")) {
    r.fail("init_names", "needs train.init_from");
  }
}

}  // namespace

TrainOptions read_train_options(const JsonReader& r) {
  TrainOptions t;
  t.epochs = r.integer("epochs", 1, 100000);
  t.batch_size = r.integer("batch_size", 2, 1 << 20, 128);
  t.eval_batch_size = r.integer("eval_batch_size", 1, 1 << 20, 500);
  t.channels_last = r.boolean("channels_last", true);
  t.sync_batchnorm = r.boolean("sync_batchnorm", false);
  read_init(r, t);
  if (r.has("divergence") && r.raw("divergence").is_null())
    t.divergence.reset();
  else
    t.divergence = r.number("divergence", 1.0, 1e12, 1e4);
  t.label_smoothing = r.number("label_smoothing", 0.0, 0.999, 0.0);
  t.optimizer = read_optimizer_options(r.object("optimizer"));
  t.schedule = read_schedule_options(r.object("schedule"), t.epochs, t.optimizer.lr);
  return t;
}

nlohmann::json to_json(const TrainOptions& t) {
  nlohmann::json j{{"epochs", t.epochs},
                   {"batch_size", t.batch_size},
                   {"eval_batch_size", t.eval_batch_size},
                   {"channels_last", t.channels_last},
                   {"divergence", t.divergence ? nlohmann::json(*t.divergence) : nlohmann::json()},
                   {"optimizer", to_json(t.optimizer)},
                   {"schedule", to_json(t.schedule)}};
  if (!t.init_from.empty()) {
    j["init_from"] = t.init_from;
    j["init_names"] = enum_name(state_dict_namings(), t.init_names);
  }
  if (t.sync_batchnorm) j["sync_batchnorm"] = true;
  if (t.label_smoothing > 0) j["label_smoothing"] = t.label_smoothing;
  return j;
}

}  // namespace odenet
