#include "data/image_stream_format.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/error.h"
#include "core/expand_path.h"
#include "core/threads.h"
#include "data/image_folder_reader.h"
#include "data/image_pack.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

const ImageStreamKeys& keys_of(const DatasetOptions& o) {
  static const ImageStreamKeys defaults{};
  const auto* keys = std::any_cast<ImageStreamKeys>(&o.format_options);
  return keys ? *keys : defaults;
}

Dataset stream_split(const DatasetOptions& o, const ImageStreamKeys& keys, bool train) {
  ImageIndexOptions index;
  const std::string source = image_stream_source(o, keys, train, index);
  std::shared_ptr<const EncodedImages> images;
  if (index.dir.empty() && index.list.empty()) {
    images = std::make_shared<ImagePack>(source);
  } else {
    index.cache_dir = keys.cache_dir;
    index.threads = available_cores();
    index.skip_unreadable = keys.transform.skip_corrupt;
    images = index_image_files(index);
  }
  return streamed_dataset(std::move(images), keys.transform);
}

void read_stream_keys(const JsonReader& r, DatasetOptions& d, nlohmann::json& resolved) {
  ImageStreamKeys k;
  k.train_split = r.string("train_split", k.train_split);
  k.test_split = r.string("test_split", k.test_split);
  k.train_list = r.has("train_list") ? expand_path(r, "train_list", r.string("train_list")) : "";
  k.test_list = r.has("test_list") ? expand_path(r, "test_list", r.string("test_list")) : "";
  k.cache_dir = r.has("cache_dir") ? expand_path(r, "cache_dir", r.string("cache_dir")) : default_cache_dir();
  StreamTransform& t = k.transform;
  t.crop = r.integer("crop", 8, 4096, t.crop);
  t.resize = r.integer("resize", t.crop, 8192, std::max(t.resize, t.crop));
  const auto scale = r.numbers("scale", 1e-6, 1.0, {t.area.scale_min, t.area.scale_max});
  const auto ratio = r.numbers("ratio", 1e-3, 1e3, {t.area.ratio_min, t.area.ratio_max});
  if (scale.size() != 2 || scale[0] > scale[1]) r.fail("scale", "expected [min, max] area fractions in (0, 1]");
  if (ratio.size() != 2 || ratio[0] > ratio[1]) r.fail("ratio", "expected [min, max] aspect ratios (width / height)");
  t.area = {scale[0], scale[1], ratio[0], ratio[1]};
  t.dct_scaling = r.boolean("dct_scaling", t.dct_scaling);
  t.skip_corrupt = r.boolean("skip_corrupt", t.skip_corrupt);
  t.channels = d.channels > 0 ? d.channels : 3;
  if (r.has("augment") && r.raw("augment").value("pad", 0) != 0)
    r.fail("augment", "image_stream crops with RandomResizedCrop (\"scale\", \"ratio\"); it takes no \"pad\"");
  resolved.update({{"train_split", k.train_split}, {"test_split", k.test_split}, {"cache_dir", k.cache_dir},
                   {"crop", t.crop}, {"resize", t.resize}, {"scale", scale}, {"ratio", ratio},
                   {"dct_scaling", t.dct_scaling}, {"skip_corrupt", t.skip_corrupt}});
  if (!k.train_list.empty()) resolved["train_list"] = k.train_list;
  if (!k.test_list.empty()) resolved["test_list"] = k.test_list;
  d.format_options = k;
}

}  // namespace

std::string image_stream_source(const DatasetOptions& o, const ImageStreamKeys& keys, bool train, ImageIndexOptions& index) {
  const std::string& split = train ? keys.train_split : keys.test_split;
  const std::string& list = train ? keys.train_list : keys.test_list;
  const std::string pack = image_pack_path(o.root, split);
  if (fs::is_regular_file(pack)) return pack;
  index.root = o.root;
  if (!list.empty()) return index.list = list;
  return index.dir = o.root + "/" + split;
}

void register_image_stream_format(DatasetFormatRegistry& registry) {
  DatasetFormat f;
  f.description = "images of any size streamed per pass: root/<split>/<class>/*.JPEG, a list file, or a pack "
                  "(root/<split>.odenet-pack); RandomResizedCrop + flip, Resize + CenterCrop for evaluation";
  f.load = [](const DatasetOptions& o) {
    const ImageStreamKeys& keys = keys_of(o);
    DatasetSplits splits{stream_split(o, keys, true), stream_split(o, keys, false)};
    if (keys.train_list.empty() && keys.test_list.empty() && splits.test.class_names != splits.train.class_names)
      throw DataError(fmt::format("{}/{}: class directories differ from {}/{}", o.root, keys.test_split, o.root, keys.train_split));
    return splits;
  };
  f.check_files = [](const DatasetOptions& o) {
    const ImageStreamKeys& keys = keys_of(o);
    for (bool train : {true, false}) {
      ImageIndexOptions index;
      const std::string source = image_stream_source(o, keys, train, index);
      if (!index.list.empty() ? !fs::is_regular_file(source) : !index.dir.empty() && !fs::is_directory(source))
        throw DataError(fmt::format("{}: no such {} (image_stream reads root/<split>/<class>/ folders, list files, or "
                                    "root/<split>.odenet-pack; the splits are train_split and test_split)",
                                    source, index.list.empty() ? "directory" : "list file"));
    }
  };
  f.image_size = [](const DatasetOptions& o) -> std::optional<std::array<int64_t, 2>> {
    const int64_t crop = keys_of(o).transform.crop;
    return std::array<int64_t, 2>{crop, crop};
  };
  f.read_keys = read_stream_keys;
  registry.add("image_stream", std::move(f));
}

}  // namespace odenet
