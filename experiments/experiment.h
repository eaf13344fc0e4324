// Experiments declared in JSON (schema: experiments/README.md): inheritance
// from a base file, a sweep grid × seeds, strict validation of every run
// before anything runs. Errors name the file and the JSON path (exit 2).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "architectures/depth_refinement.h"
#include "architectures/model_options.h"
#include "data/augmentation.h"
#include "data/dataset_format.h"
#include "discretizations/scheme.h"
#include "training/trainer.h"

namespace odenet {

/// One fully resolved training run.
struct RunSpec {
  std::string experiment;  ///< experiment name (results/<experiment>/)
  std::string run_id;      ///< directory name under it
  /// The id older odenet gave this run where it differs (an object-valued sweep value was named
  /// by its index, "scheme-2_s0"); a run directory under that name is used when run_id's is absent.
  std::string legacy_run_id;
  std::string source;      ///< the experiment file
  size_t index = 0;        ///< position among the experiment's runs (sweep order × seeds)
  uint64_t seed = 0;
  DatasetOptions dataset;
  AugmentOptions augment;  ///< empty mean/std: computed from the training split
  ModelOptions model;
  TrainOptions train;
  /// train.precision, resolved on the device the run trains on.
  PrecisionRequest precision = PrecisionRequest::kAuto;
  /// train.refine: training by depth refinement (empty: the network keeps its depth).
  std::optional<RefineSchedule> refine;
  /// The swept values of this run ("model.preset" → "resnet20").
  std::vector<std::pair<std::string, nlohmann::json>> assignments;
  /// Everything above as JSON; saved as config.json, compared on resume.
  nlohmann::json config;
  /// The published test error (%) the experiment's "reference" declares for this run's group.
  std::optional<double> reference;
};

struct Experiment {
  std::string name;
  std::string file;
  std::vector<RunSpec> runs;
  nlohmann::json reference;  ///< {"<run group>": published test error (%)}
};

/// Checks that every data set the runs read exists and holds its format's files (without reading
/// them): a ConfigError naming the experiment file, /dataset/root and what is missing.
void check_experiment_data(const Experiment& e);

/// `e` with each run named by its legacy id where only that id's directory exists under
/// `results_root` (runs started by older odenet keep their directories).
Experiment with_existing_run_ids(Experiment e, const std::string& results_root);

/// Reads, resolves ("extends"), expands (sweep × seeds) and validates an experiment file.
Experiment load_experiment(const std::string& file);

/// A model object as a run's config holds it: the preset expanded, the scheme built once (older
/// spellings such as {"name": "euler_maruyama", "variant": ...} are accepted; to_json writes
/// today's canonical one).
ModelOptions resolve_model(const JsonReader& model);

/// Resolves "extends" chains as a JSON merge patch (RFC 7386) of the child onto its base:
/// objects merge recursively, the child wins, arrays replace, null deletes a key.
nlohmann::json resolve_extends(const std::string& file);

}  // namespace odenet
