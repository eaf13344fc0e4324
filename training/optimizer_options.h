// train.optimizer: SGD with momentum, Nesterov and selective weight decay — the
// options, their strict reader and their writer.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/enum_names.h"

namespace odenet {

class JsonReader;

/// Parameter categories that can be left out of weight decay.
enum class DecayExclusion {
  kBatchNorm,     ///< "bn": BatchNorm affine parameters
  kBias,          ///< "bias": every bias
  kCoefficients,  ///< "k": learned scheme coefficients (LM's k, or s in the official parametrisation)
};
const EnumNames<DecayExclusion>& decay_exclusion_names();

struct OptimizerOptions {
  double lr = 0.1;            ///< base learning rate (the schedule scales it)
  double momentum = 0.9;      ///< heavy-ball momentum in [0, 1]
  bool nesterov = false;      ///< Nesterov momentum (needs momentum > 0)
  double weight_decay = 1e-4; ///< L2 penalty on the decayed parameters
  std::vector<DecayExclusion> decay_excludes;  ///< categories without weight decay
};

/// Reads a train.optimizer object strictly (name "sgd", the only one).
OptimizerOptions read_optimizer_options(const JsonReader& r);
/// The object read_optimizer_options reads back to `o`.
nlohmann::json to_json(const OptimizerOptions& o);

}  // namespace odenet
