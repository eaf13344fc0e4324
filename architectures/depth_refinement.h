// A trained network as an ODE in depth (Sander, Ablin, Peyré 2022; Chang et al. 2018): the K
// same-shape steps of a stage, with parameters θ_0 … θ_{K−1}, define a field of continuous depth
// t ∈ [0, K]. Step i covers [i, i + 1] and its parameters sit at the node t = i + ½;
//   piecewise:  θ(t) = θ_⌊t⌋            (the trained network itself at m = 1)
//   linear:     θ(t) linear between consecutive nodes, constant beyond the first and last.
// Refinement rebuilds the stage with m·K steps of Δt = 1/m under any scheme, each step with the
// parameters at its own midpoint; the opening step (projection) is kept. Convolutions, BatchNorm
// affine parameters and running statistics, and a step's own coefficients (learned k_n) all follow θ(t).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "architectures/staged_network.h"
#include "core/json_reader.h"
#include "core/parameter_blend.h"

namespace odenet {

enum class DepthInterpolation { kPiecewise, kLinear };
const EnumNames<DepthInterpolation>& depth_interpolation_names();
/// The interpolation spelled `name` (a command-line or Python argument); a ConfigError naming `what` otherwise.
DepthInterpolation depth_interpolation_named(const std::string& name, const std::string& what);

struct RefineOptions {
  /// m: steps per trained step (Δt = step_size / m)
  int64_t factor = 1;
  /// how θ(t) joins the trained steps' parameters
  DepthInterpolation interpolation = DepthInterpolation::kPiecewise;
  /// Δt of the steps being refined (1 for a trained network; 1/m after a refinement by m)
  double step_size = 1.0;
  /// every refined step gets fields of its own (copies where it would share a trained one), so
  /// that training can go on from the refined network; off: piecewise steps share the trained fields
  bool independent = false;
  /// a learned coefficient no trained step holds (LM's k after a stage of starting steps only)
  /// starts from the scheme's initialisation, as training goes on; off: a ConfigError
  bool initialise_missing = false;
};

/// Training by depth refinement (Chang, Meng, Haber, Tung, Begert 2018): after each epoch in
/// `at_epochs` every stage's steps are refined by `factor` (Δt ← Δt / factor), each new step with
/// its own fields made by `interpolation`; training goes on from there.
struct RefineSchedule {
  std::vector<long> at_epochs;  ///< increasing, each below the run's epochs
  int64_t factor = 2;           ///< "factor": m, each refinement multiplies the steps per stage by it
  DepthInterpolation interpolation = DepthInterpolation::kLinear;  ///< "interpolation": how new steps get their θ
};
/// Reads a train.refine object (strictly; errors name the JSON path) for a run of `epochs` epochs.
RefineSchedule read_refine_schedule(const JsonReader& r, long epochs);
nlohmann::json to_json(const RefineSchedule& s);

/// Where θ(t) at depth `t` comes from among steps whose parameters sit at depths `nodes`
/// (increasing; step i of a stage at i + ½): θ = (1 − weight) θ_first + weight θ_second, indices
/// into `nodes`. Piecewise: the node whose unit interval holds t, else the nearest; linear:
/// between the nodes around t, constant beyond the first and last.
struct DepthSource {
  int64_t first = 0, second = 0;
  double weight = 0;
};
DepthSource depth_source(double t, const std::vector<double>& nodes, DepthInterpolation interpolation);

/// The fields a step evaluates (its FieldImpl children, in registration order).
std::vector<std::shared_ptr<FieldImpl>> step_fields(const StepImpl& step);

/// `trained` with its K steps after the openings replaced by m·K steps of Δt = 1/m of `scheme`
/// (forward Euler steps first where the scheme needs a history: after the opening too when
/// Δt ≠ 1, since the opening's history lies a whole step back). `index` counts steps over the
/// network (of `count`), as build_stage does. At m = 1, piecewise, under the scheme that built
/// `trained`, the stage computes what `trained` computes. A scheme asking for a field count the
/// trained steps do not hold, or a learned coefficient they lack, is a ConfigError naming it.
/// `blends` (optional) receives, for every new parameter, the trained ones it was made from.
std::shared_ptr<StageImpl> refine_stage(const StageImpl& trained, const Scheme& scheme, const RefineOptions& options,
                                        int& index, int count, int stage_number = 1,
                                        std::vector<ParameterBlend>* blends = nullptr);

/// Every stage of `network` replaced by its refinement, in place (refine a fresh copy of a
/// trained model: piecewise refinement shares the trained fields unless `independent`).
void refine_network(StagedNetworkImpl& network, const Scheme& scheme, const RefineOptions& options,
                    std::vector<ParameterBlend>* blends = nullptr);

/// Steps per stage after refinement (openings included), for reports.
std::vector<int64_t> stage_step_counts(const StagedNetworkImpl& network);

}  // namespace odenet
