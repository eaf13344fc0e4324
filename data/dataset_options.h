// The "dataset" object of an experiment, read strictly beside the options it fills: the data set
// (name, format, root, limits) and its augmentation, with the defaults a known name implies.
#pragma once
#include <nlohmann/json.hpp>

#include "core/json_reader.h"
#include "data/augmentation.h"
#include "data/dataset_format.h"

namespace odenet {

/// Reads a "dataset" object into DatasetOptions and `augment`; `resolved` receives the object
/// with every default filled in (what a run's config.json records). Errors name the JSON path.
DatasetOptions read_dataset_options(const JsonReader& r, AugmentOptions& augment, nlohmann::json& resolved);

}  // namespace odenet
