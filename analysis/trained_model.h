// A finished (or paused) run directory's network, rebuilt from its config.json
// and summary.json and loaded with the weights of its checkpoint.pt — the one
// way analysis, export and the Python module read a trained model.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "architectures/model_options.h"
#include "core/classifier.h"
#include "discretizations/scheme.h"

namespace odenet {

struct TrainedModel {
  std::string dir;
  nlohmann::json config;   ///< the run's config.json
  ModelOptions options;    ///< resolved from config["model"]
  std::shared_ptr<const Scheme> scheme;
  std::shared_ptr<ClassifierImpl> model;  ///< in eval mode, weights from the checkpoint
  int64_t in_channels = 0, image_size = 0, classes = 0;
};

/// Rebuilds and loads the model of run directory `dir`; a missing file, a damaged checkpoint or one
/// that does not fit the network is a DataError naming the file.
TrainedModel load_trained_model(const std::string& dir);

/// Reads a run directory's file at `path` (e.g. RunDirectory::summary_path()), a DataError
/// "<dir>: no <name> (<why>)" when absent.
nlohmann::json read_run_file(const std::string& path, const std::string& why);

}  // namespace odenet
