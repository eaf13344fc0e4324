#include "data/dataset_format.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/json_reader.h"
#include "data/cifar_binary_reader.h"
#include "data/idx_reader.h"
#include "data/image_folder_reader.h"
#include "data/image_stream_format.h"

namespace odenet {
namespace {

void check_labels(const Dataset& data, int64_t classes, const std::string& where) {
  if (classes <= 0 || data.size() == 0) return;
  auto bad = (data.labels < 0).logical_or(data.labels >= classes).nonzero();
  if (bad.numel() > 0) {
    int64_t i = bad[0][0].item<int64_t>();
    throw DataError(fmt::format("{}: record {} has label {}, outside the {} classes the data set declares", where, i,
                                data.labels[i].item<int64_t>(), classes));
  }
}

}  // namespace

void register_builtin_dataset_formats(DatasetFormatRegistry& registry) {
#define ODENET_DATASET_FORMAT(register_format) register_format(registry);
#include "data/dataset_formats.def"
#undef ODENET_DATASET_FORMAT
}

DatasetFormatRegistry& dataset_format_registry() {
  static DatasetFormatRegistry registry = [] {
    DatasetFormatRegistry r("data set format");
    register_builtin_dataset_formats(r);
    return r;
  }();
  return registry;
}

namespace {

struct KnownDatasetRow {
  const char* name;
  const char* defaults;  ///< a JSON object (datasets.def)
};

constexpr KnownDatasetRow kKnownDatasets[] = {
#define ODENET_DATASET(name, defaults) {name, defaults},
#include "data/datasets.def"
#undef ODENET_DATASET
};

// A datasets.def row, read strictly (a typo in the table fails the first lookup, naming the row).
DatasetDefaults read_defaults(const KnownDatasetRow& row) {
  const auto j = nlohmann::json::parse(row.defaults);
  JsonReader r(j, "data/datasets.def", std::string("/") + row.name);
  DatasetDefaults d;
  d.format = r.string("format");
  d.root = r.string("root", "");
  d.channels = static_cast<int>(r.integer("channels", 1, 3));
  d.classes = r.integer("classes", 2, 1 << 20);
  JsonReader a = r.object("augment");
  d.pad = static_cast<int>(a.integer("pad", 0, 64));
  d.flip = a.boolean("flip", false);
  d.mean = a.numbers("mean", -1e3, 1e3, {});
  d.std = a.numbers("std", 1e-6, 1e3, {});
  a.finish();
  r.finish();
  return d;
}

}  // namespace

DatasetDefaults dataset_defaults(const std::string& name) {
  static const std::map<std::string, DatasetDefaults> known = [] {  // the table, read once
    std::map<std::string, DatasetDefaults> out;
    for (const auto& row : kKnownDatasets) out.emplace(row.name, read_defaults(row));
    return out;
  }();
  const auto found = known.find(name);
  return found == known.end() ? DatasetDefaults{} : found->second;
}

std::vector<std::string> known_dataset_names() {
  std::vector<std::string> names;
  for (const auto& row : kKnownDatasets) names.push_back(row.name);
  return names;
}

DatasetSplits load_dataset(const DatasetOptions& o) {
  const DatasetFormat& format = dataset_format_registry().get(o.format);
  DatasetSplits splits = format.load(o);
  auto same_shape = [](const Dataset& a, const Dataset& b) {
    return a.channels() == b.channels() && a.height() == b.height() && a.width() == b.width();
  };
  if (!same_shape(splits.train, splits.test))
    throw DataError(fmt::format("{}: train images are {}x{}x{} but test images are {}x{}x{}", o.root,
                                splits.train.channels(), splits.train.height(), splits.train.width(),
                                splits.test.channels(), splits.test.height(), splits.test.width()));
  const int64_t classes = o.classes > 0 ? o.classes : format.classes;
  check_labels(splits.train, classes, o.root + " (train split)");
  check_labels(splits.test, classes, o.root + " (test split)");
  if (classes > 0)
    for (Dataset* d : {&splits.train, &splits.test})
      if (d->num_classes() < classes) d->class_names = numbered_classes(classes);
  splits.train = splits.train.subset(o.train_limit);
  splits.test = splits.test.subset(o.test_limit);
  return splits;
}

void check_dataset_files(const DatasetOptions& o) {
  const DatasetFormat& format = dataset_format_registry().get(o.format);
  if (!std::filesystem::is_directory(o.root)) throw DataError(o.root + ": no such directory");
  if (format.check_files) format.check_files(o);
}

void channel_statistics(const Dataset& all, std::vector<double>& mean, std::vector<double>& std) {
  // Streamed: the evaluation views of a fixed sample of 1,000 training images.
  const Dataset data = all.stream ? all.subset(1000).in_memory() : all;
  auto x = data.images.to(torch::kFloat64).div_(255.0).transpose(0, 1).reshape({data.channels(), -1});
  auto m = x.mean(1), s = x.std(1, /*unbiased=*/false);
  mean.assign(m.data_ptr<double>(), m.data_ptr<double>() + m.numel());
  std.assign(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
}

}  // namespace odenet
