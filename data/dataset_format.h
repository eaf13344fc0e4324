// Data set formats as a registry (idx, cifar_binary, image_folder, or a
// user's own: one file and one registration line), the defaults a known data
// set name implies, and one entry point from options to the splits in memory.
#pragma once
#include <any>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_reader.h"
#include "core/registry.h"
#include "data/dataset.h"

namespace odenet {

struct DatasetOptions {
  std::string name;          ///< "fashion_mnist", "mnist", "cifar10", "cifar100" or any name with an explicit format
  std::string format;        ///< a registered format: "idx", "cifar_binary", "image_folder", ...
  std::string root;          ///< directory holding the files
  int channels = 0;          ///< formats with configurable channels only: 1 or 3 (0: the format's default)
  int64_t classes = 0;       ///< the class count the data set declares (0: what the files hold)
  int64_t train_limit = 0;   ///< keep a fixed random subset of N training examples (0: all)
  int64_t test_limit = 0;    ///< keep a fixed random subset of N test examples (0: all)
  int workers = 0;           ///< loader threads (0: one for data in memory, every core for streamed images)
  /// The format's own options, as its `read_keys` made them (e.g. image_folder's cache
  /// directory; its `load` any_casts them back); empty: none, the format's defaults.
  std::any format_options;
};

/// A format: what it declares about its images and how it reads a data set's two splits.
struct DatasetFormat {
  std::string description;
  /// Channels of every image; 0: the experiment chooses ("channels": 1 or 3).
  int channels = 0;
  /// Image size; 0: read from the files.
  int height = 0, width = 0;
  /// Classes; 0: from the data set's name or its files.
  int64_t classes = 0;
  /// Reads {train, test}; a missing or malformed file is a DataError naming it.
  std::function<DatasetSplits(const DatasetOptions&)> load;
  /// Checks, without reading them, that the files `load` needs exist (a DataError naming the
  /// first one missing); `odenet validate` and `run` ask before anything trains.
  std::function<void(const DatasetOptions&)> check_files;
  /// The images' {height, width} read from the files' headers without loading them, for sizing a
  /// run before its data is read (a memory estimate); null, or a file that cannot tell: the
  /// declared `height`/`width` or the model's native size.
  std::function<std::optional<std::array<int64_t, 2>>(const DatasetOptions&)> image_size;
  /// Reads the format's own keys of a "dataset" object into the options and writes them to the
  /// resolved object (config.json); null: the format has none.
  std::function<void(const JsonReader&, DatasetOptions&, nlohmann::json& resolved)> read_keys;
};

using DatasetFormatRegistry = Registry<DatasetFormat>;

/// The registry with the built-in formats (registered once).
DatasetFormatRegistry& dataset_format_registry();
void register_builtin_dataset_formats(DatasetFormatRegistry& registry);

/// What a known data set name implies when the experiment leaves it out.
struct DatasetDefaults {
  std::string format;           ///< a registered format
  std::string root;             ///< empty: the user must give one
  std::vector<double> mean, std;  ///< per-channel normalisation; empty: computed from the training split
  int pad = 0;                  ///< pad-and-crop margin for training
  bool flip = false;            ///< random horizontal flip for training
  int channels = 3;
  int64_t classes = 0;          ///< 0: unknown name, the files decide
};

/// Defaults of a known name (data/datasets.def), or empty defaults for any other name.
DatasetDefaults dataset_defaults(const std::string& name);
/// The names datasets.def knows.
std::vector<std::string> known_dataset_names();

/// Loads both splits with the registered format; checks that they share one image shape and
/// that every label lies below the declared class count (a DataError naming the split and record).
DatasetSplits load_dataset(const DatasetOptions& options);

/// The format's check_files: the root is a directory holding the format's files (a DataError
/// naming the root and what it lacks).
void check_dataset_files(const DatasetOptions& options);

/// Per-channel mean and standard deviation of uint8 images scaled to [0, 1] (streamed: of the evaluation
/// views of a fixed sample of 1,000).
void channel_statistics(const Dataset& data, std::vector<double>& mean, std::vector<double>& std);

}  // namespace odenet
