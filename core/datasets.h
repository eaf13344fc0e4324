// Named data sets and their on-disk formats: one entry point from options to
// the train and test splits in memory.
#pragma once
#include <string>
#include <vector>

#include "core/dataset.h"

namespace odenet {

struct DatasetOptions {
  std::string name;          ///< "fashion_mnist", "mnist", "cifar10", "cifar100" or any name with an explicit format
  std::string format;        ///< "idx", "cifar_binary" or "image_folder"
  std::string root;          ///< directory holding the files
  int channels = 0;          ///< image_folder only: 1 or 3 (0: the data set's default)
  std::string cache_dir;     ///< image_folder decode cache
  int64_t train_limit = 0;   ///< keep a fixed random subset of N training examples (0: all)
  int64_t test_limit = 0;    ///< keep a fixed random subset of N test examples (0: all)
};

/// What a known data set name implies when the experiment leaves it out.
struct DatasetDefaults {
  std::string format;
  std::string root;             ///< empty: the user must give one
  std::vector<double> mean, std;  ///< per-channel normalisation; empty: computed from the training split
  int pad = 0;                  ///< pad-and-crop margin for training
  bool flip = false;            ///< random horizontal flip for training
  int channels = 3;
};

/// Defaults of a known name, or empty defaults for any other name.
DatasetDefaults dataset_defaults(const std::string& name);
const std::vector<std::string>& dataset_formats();

/// Loads both splits; missing or malformed files are DataErrors naming the file.
DatasetSplits load_dataset(const DatasetOptions& options);

/// Per-channel mean and standard deviation of uint8 images scaled to [0, 1].
void channel_statistics(const Dataset& data, std::vector<double>& mean, std::vector<double>& std);

}  // namespace odenet
