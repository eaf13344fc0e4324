#include "data/dataset_options.h"

#include <fmt/format.h>

#include "core/expand_path.h"

namespace odenet {

DatasetOptions read_dataset_options(const JsonReader& r, AugmentOptions& augment, nlohmann::json& resolved) {
  DatasetOptions d;
  d.name = r.string("name");
  DatasetDefaults defaults = dataset_defaults(d.name);
  d.format = defaults.format.empty() ? r.string("format") : r.string("format", defaults.format);
  const auto& formats = dataset_format_registry();
  if (!formats.contains(d.format))
    r.fail("format", fmt::format("'{}' is not one of: {}", d.format, formats.joined_names()));
  const DatasetFormat& format = formats.get(d.format);
  d.classes = defaults.classes;
  d.root = expand_path(r, "root", defaults.root.empty() ? r.string("root") : r.string("root", defaults.root));
  // A format declares its channels (idx: gray, CIFAR binaries: RGB) or lets the experiment choose.
  if (format.channels == 0) {
    d.channels = static_cast<int>(r.integer("channels", 1, 3, defaults.channels));
    if (d.channels == 2) r.fail("channels", "2 is not supported (1 or 3)");
  } else {
    d.channels = format.channels;
    // A resolved config (a run's config.json) states the format's own count, which reads back.
    if (r.has("channels") && r.integer("channels", 1, 3, format.channels) != format.channels)
      r.fail("channels", fmt::format("the {} format's images have {} channel(s); it takes no \"channels\"", d.format, format.channels));
  }
  d.train_limit = r.integer("train_limit", 0, 1L << 40, 0);
  d.test_limit = r.integer("test_limit", 0, 1L << 40, 0);
  d.workers = static_cast<int>(r.integer("workers", 0, 1024, 0));

  JsonReader a = r.object("augment");
  augment.pad = static_cast<int>(a.integer("pad", 0, 64, defaults.pad));
  augment.flip = a.boolean("flip", defaults.flip);
  // Per-channel numbers, or "from_train_split" (what a resolved config says when none were given).
  auto statistics = [&a](const char* key, double min, const std::vector<double>& fallback) {
    if (a.has(key) && a.raw(key).is_string()) {
      a.one_of(key, {"from_train_split"}, "from_train_split");
      return std::vector<double>{};
    }
    return a.numbers(key, min, 1e3, fallback);
  };
  augment.mean = statistics("mean", -1e3, defaults.mean);
  augment.std = statistics("std", 1e-6, defaults.std);
  if (augment.mean.size() != augment.std.size()) a.fail("std", "mean and std must have one entry per channel each");
  if (!augment.mean.empty() && static_cast<int>(augment.mean.size()) != d.channels)
    a.fail("mean", fmt::format("{} entries for {} channel(s)", augment.mean.size(), d.channels));
  a.finish();

  resolved = {{"name", d.name},         {"format", d.format},           {"root", d.root},
              {"channels", d.channels}, {"train_limit", d.train_limit}, {"test_limit", d.test_limit},
              {"augment",
               {{"pad", augment.pad},
                {"flip", augment.flip},
                {"mean", augment.mean.empty() ? nlohmann::json("from_train_split") : nlohmann::json(augment.mean)},
                {"std", augment.std.empty() ? nlohmann::json("from_train_split") : nlohmann::json(augment.std)}}}};
  if (d.workers > 0) resolved["workers"] = d.workers;
  if (format.read_keys) format.read_keys(r, d, resolved);
  r.finish();
  return d;
}

}  // namespace odenet
