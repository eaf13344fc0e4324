#include "data/image_folder_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/expand_path.h"
#include "data/image_codec.h"
#include "data/image_listing.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

constexpr char kCacheMagic[8] = {'O', 'D', 'N', 'C', 'A', 'C', 'H', '1'};

struct Listing {
  std::vector<std::string> classes;
  std::vector<std::pair<std::string, int64_t>> files;  // path, label
  Fingerprint fingerprint;                              // over names, sizes, mtimes
};

Listing list_split(const std::string& dir) {
  const FolderListing folder = list_image_folder(dir, class_directories(dir));
  Listing listing;
  listing.classes = folder.class_names;
  for (size_t i = 0; i < folder.files.size(); ++i) {
    const std::string file = dir + "/" + folder.files[i];
    listing.files.emplace_back(file, folder.labels[i]);
    listing.fingerprint.add(file);
    listing.fingerprint.add(std::to_string(fs::file_size(file)));
    listing.fingerprint.add(std::to_string(fs::last_write_time(file).time_since_epoch().count()));
  }
  return listing;
}

Dataset decode_listing(const Listing& listing, int channels) {
  auto first = convert_channels(decode_image_file(listing.files[0].first), channels);
  auto n = static_cast<int64_t>(listing.files.size());
  auto images = torch::empty({n, channels, first.height, first.width}, torch::kUInt8);
  auto labels = torch::empty({n}, torch::kInt64);
  const int64_t plane = static_cast<int64_t>(first.height) * first.width;
  auto* out = images.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& [path, label] = listing.files[i];
    auto image = i == 0 ? first : convert_channels(decode_image_file(path), channels);
    if (image.width != first.width || image.height != first.height)
      throw DataError(fmt::format("{}: image is {}x{}, but {} is {}x{} (all images of a split must share one size)",
                                  path, image.width, image.height, listing.files[0].first, first.width, first.height));
    uint8_t* dst = out + i * channels * plane;
    for (int64_t p = 0; p < plane; ++p)  // HWC → CHW
      for (int c = 0; c < channels; ++c) dst[c * plane + p] = image.pixels[p * channels + c];
    labels[i] = label;
  }
  return Dataset{images, labels, listing.classes};
}

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

}  // namespace

std::string default_cache_dir() {
  if (const char* d = std::getenv("ODENET_CACHE"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/odenet";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/odenet";
}

void save_dataset_cache(const std::string& path, const Dataset& data) {
  std::string out(kCacheMagic, sizeof(kCacheMagic));
  for (int d = 0; d < 4; ++d) put<int64_t>(out, data.images.size(d));
  put<int64_t>(out, data.num_classes());
  for (const auto& name : data.class_names) {
    put<int64_t>(out, static_cast<int64_t>(name.size()));
    out += name;
  }
  out.append(reinterpret_cast<const char*>(data.images.data_ptr<uint8_t>()), data.images.numel());
  out.append(reinterpret_cast<const char*>(data.labels.data_ptr<int64_t>()), data.labels.numel() * sizeof(int64_t));
  write_file_atomic(path, out);
}

Dataset load_dataset_cache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open cache file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 0;
  auto need = [&](size_t n) {
    if (at + n > bytes.size()) throw DataError(path + ": truncated cache file (delete it to rebuild)");
  };
  auto get = [&]() {
    need(sizeof(int64_t));
    int64_t v;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    at += sizeof v;
    return v;
  };
  need(sizeof(kCacheMagic));
  if (bytes.compare(0, sizeof(kCacheMagic), std::string(kCacheMagic, sizeof(kCacheMagic))) != 0)
    throw DataError(path + ": not an odenet cache file");
  at = sizeof(kCacheMagic);
  int64_t dims[4];
  for (auto& d : dims) d = get();
  // Sizes are checked against the file before anything is allocated (a damaged header can claim anything).
  uint64_t pixels = 1;
  for (int64_t d : dims) {
    if (d <= 0 || d > (int64_t(1) << 31) || (d > 0 && pixels > (uint64_t(1) << 40) / static_cast<uint64_t>(d)))
      throw DataError(path + ": damaged cache file (impossible image dimensions; delete it to rebuild)");
    pixels *= static_cast<uint64_t>(d);
  }
  if (pixels + static_cast<uint64_t>(dims[0]) * sizeof(int64_t) > bytes.size())
    throw DataError(path + ": truncated cache file (delete it to rebuild)");
  Dataset data;
  const int64_t classes = get();
  if (classes < 0 || static_cast<uint64_t>(classes) > bytes.size())
    throw DataError(path + ": damaged cache file (impossible class count; delete it to rebuild)");
  for (int64_t c = 0; c < classes; ++c) {
    int64_t len = get();
    if (len < 0) throw DataError(path + ": damaged cache file (delete it to rebuild)");
    need(static_cast<size_t>(len));
    data.class_names.push_back(bytes.substr(at, len));
    at += len;
  }
  data.images = torch::empty({dims[0], dims[1], dims[2], dims[3]}, torch::kUInt8);
  data.labels = torch::empty({dims[0]}, torch::kInt64);
  need(data.images.numel() + data.labels.numel() * sizeof(int64_t));
  std::memcpy(data.images.data_ptr<uint8_t>(), bytes.data() + at, data.images.numel());
  at += data.images.numel();
  std::memcpy(data.labels.data_ptr<int64_t>(), bytes.data() + at, data.labels.numel() * sizeof(int64_t));
  if (data.labels.numel() > 0 && (data.labels.min().item<int64_t>() < 0 || data.labels.max().item<int64_t>() >= classes))
    throw DataError(path + ": damaged cache file (a label outside its " + std::to_string(classes) +
                    " classes; delete it to rebuild)");
  return data;
}

Dataset read_image_folder(const ImageFolderOptions& options) {
  std::string dir = options.root + "/" + options.split;
  Listing listing = list_split(dir);
  listing.fingerprint.add(fs::absolute(dir).string());
  listing.fingerprint.add(std::to_string(options.channels));
  std::string cache;
  if (!options.cache_dir.empty()) {
    cache = fmt::format("{}/image_folder-{}-{:016x}.bin", options.cache_dir, options.split, listing.fingerprint.value);
    if (fs::exists(cache)) return load_dataset_cache(cache);
  }
  Dataset data = decode_listing(listing, options.channels);
  if (!cache.empty()) {
    std::error_code ec;
    fs::create_directories(options.cache_dir, ec);
    if (ec) throw Error(options.cache_dir + ": cannot create cache directory: " + ec.message());
    save_dataset_cache(cache, data);
  }
  return data;
}

namespace {

// image_folder's own key of a "dataset" object.
struct ImageFolderKeys {
  std::string cache_dir;  ///< "cache_dir": where decoded splits are kept (default: default_cache_dir())
};

}  // namespace

void register_image_folder_format(DatasetFormatRegistry& registry) {
  DatasetFormat f;
  f.description = "root/{train,test}/<class>/<file>.jpg|.jpeg|.png (ImageNet's layout), decoded once into a cache";
  f.load = [](const DatasetOptions& o) {
    const auto* keys = std::any_cast<ImageFolderKeys>(&o.format_options);
    ImageFolderOptions folder{o.root, "train", o.channels > 0 ? o.channels : 3, keys ? keys->cache_dir : ""};
    DatasetSplits splits;
    splits.train = read_image_folder(folder);
    folder.split = "test";
    splits.test = read_image_folder(folder);
    if (splits.test.class_names != splits.train.class_names)
      throw DataError(o.root + "/test: class directories differ from " + o.root + "/train");
    return splits;
  };
  f.check_files = [](const DatasetOptions& o) {
    for (const char* split : {"train", "test"})
      if (!fs::is_directory(o.root + "/" + split))
        throw DataError(fmt::format("{}: no {}/ directory (image_folder needs root/train/<class>/ and root/test/<class>/)", o.root, split));
  };
  f.read_keys = [](const JsonReader& r, DatasetOptions& d, nlohmann::json& resolved) {
    ImageFolderKeys keys;
    keys.cache_dir = r.has("cache_dir") ? expand_path(r, "cache_dir", r.string("cache_dir")) : default_cache_dir();
    resolved["cache_dir"] = keys.cache_dir;
    d.format_options = keys;
  };
  registry.add("image_folder", std::move(f));
}

}  // namespace odenet
