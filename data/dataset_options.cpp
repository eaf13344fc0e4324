#include "data/dataset_options.h"

#include <fmt/format.h>

#include "core/expand_path.h"
#include "data/image_folder_reader.h"

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
  d.cache_dir = r.has("cache_dir") ? expand_path(r, "cache_dir", r.string("cache_dir")) : r.string("cache_dir", "");
  d.train_limit = r.integer("train_limit", 0, 1L << 40, 0);
  d.test_limit = r.integer("test_limit", 0, 1L << 40, 0);

  JsonReader a = r.object("augment");
  augment.pad = static_cast<int>(a.integer("pad", 0, 64, defaults.pad));
  augment.flip = a.boolean("flip", defaults.flip);
  augment.mean = a.numbers("mean", -1e3, 1e3, defaults.mean);
  augment.std = a.numbers("std", 1e-6, 1e3, defaults.std);
  if (augment.mean.size() != augment.std.size()) a.fail("std", "mean and std must have one entry per channel each");
  if (!augment.mean.empty() && static_cast<int>(augment.mean.size()) != d.channels)
    a.fail("mean", fmt::format("{} entries for {} channel(s)", augment.mean.size(), d.channels));
  a.finish();
  r.finish();

  resolved = {{"name", d.name},         {"format", d.format},           {"root", d.root},
              {"channels", d.channels}, {"train_limit", d.train_limit}, {"test_limit", d.test_limit},
              {"augment",
               {{"pad", augment.pad},
                {"flip", augment.flip},
                {"mean", augment.mean.empty() ? nlohmann::json("from_train_split") : nlohmann::json(augment.mean)},
                {"std", augment.std.empty() ? nlohmann::json("from_train_split") : nlohmann::json(augment.std)}}}};
  if (d.format == "image_folder") {
    if (d.cache_dir.empty()) d.cache_dir = default_cache_dir();
    resolved["cache_dir"] = d.cache_dir;
  }
  return d;
}

}  // namespace odenet
