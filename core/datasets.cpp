#include "core/datasets.h"

#include <fmt/format.h>

#include "core/cifar_binary_reader.h"
#include "core/error.h"
#include "core/idx_reader.h"
#include "core/image_folder_reader.h"

namespace odenet {

DatasetDefaults dataset_defaults(const std::string& name) {
  if (name == "fashion_mnist")
    return {"idx", "/usr/share/datasets/fashion-mnist", {0.2860}, {0.3530}, 2, true, 1};
  if (name == "mnist") return {"idx", "", {0.1307}, {0.3081}, 2, false, 1};
  if (name == "cifar10")  // PAPER.md §6
    return {"cifar_binary", "", {0.4914, 0.4822, 0.4465}, {0.2023, 0.1994, 0.2010}, 4, true, 3};
  if (name == "cifar100")
    return {"cifar_binary", "", {0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}, 4, true, 3};
  return {};
}

const std::vector<std::string>& dataset_formats() {
  static const std::vector<std::string> formats{"idx", "cifar_binary", "image_folder"};
  return formats;
}

DatasetSplits load_dataset(const DatasetOptions& o) {
  DatasetSplits splits;
  if (o.format == "idx") {
    splits.train = read_idx_split(o.root, "train");
    splits.test = read_idx_split(o.root, "t10k");
  } else if (o.format == "cifar_binary") {
    auto variant = o.name == "cifar100" ? CifarVariant::kCifar100 : CifarVariant::kCifar10;
    splits.train = read_cifar_split(o.root, variant, true);
    splits.test = read_cifar_split(o.root, variant, false);
  } else if (o.format == "image_folder") {
    ImageFolderOptions f{o.root, "train", o.channels > 0 ? o.channels : 3, o.cache_dir};
    splits.train = read_image_folder(f);
    f.split = "test";
    splits.test = read_image_folder(f);
    if (splits.test.class_names != splits.train.class_names)
      throw DataError(o.root + "/test: class directories differ from " + o.root + "/train");
  } else {
    throw ConfigError("unknown data set format '" + o.format + "'");
  }
  auto same_shape = [](const Dataset& a, const Dataset& b) {
    return a.channels() == b.channels() && a.height() == b.height() && a.width() == b.width();
  };
  if (!same_shape(splits.train, splits.test))
    throw DataError(fmt::format("{}: train images are {}x{}x{} but test images are {}x{}x{}", o.root,
                                splits.train.channels(), splits.train.height(), splits.train.width(),
                                splits.test.channels(), splits.test.height(), splits.test.width()));
  splits.train = splits.train.subset(o.train_limit);
  splits.test = splits.test.subset(o.test_limit);
  return splits;
}

void channel_statistics(const Dataset& data, std::vector<double>& mean, std::vector<double>& std) {
  auto x = data.images.to(torch::kFloat64).div_(255.0).transpose(0, 1).reshape({data.channels(), -1});
  auto m = x.mean(1), s = x.std(1, /*unbiased=*/false);
  mean.assign(m.data_ptr<double>(), m.data_ptr<double>() + m.numel());
  std.assign(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
}

}  // namespace odenet
