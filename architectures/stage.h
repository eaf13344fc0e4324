// A residual stage as a time-stepping loop: its steps are applied in order to
// a State, and post-activation networks apply ReLU to u after every step (or, for schemes that
// absorb it, inside the fields of the scheme's own steps).
#pragma once
#include <functional>
#include <map>

#include "discretizations/scheme.h"

namespace odenet {

/// Makes a field u ↦ f(u) from `in` to `out` channels with `stride` (a partitioned
/// scheme asks for out = half the stage's channels).
using StageFieldMaker = std::function<std::shared_ptr<FieldImpl>(int64_t in, int64_t out, int64_t stride)>;

/// What a stage is besides its steps: how many leading steps change the state's shape (the
/// opening projection step: 0 or 1), whether ReLU follows every step, the state's channels
/// after the openings, and how its fields were made (depth refinement makes more of them, C → C
/// with stride 1). build_stage fills it; a stage assembled by hand may leave the maker empty.
struct StageShape {
  int64_t openings = 0;
  bool relu_after_step = false;
  int64_t channels = 0;
  StageFieldMaker make_field;
  /// With relu_after_step: steps from this index on carry the ReLU inside their fields
  /// (StepContext::relu_in_field); −1: none do.
  int64_t relu_inside_from = -1;
  /// Whether ReLU follows step `i`.
  bool relu_after(size_t i) const {
    return relu_after_step && !(relu_inside_from >= 0 && static_cast<int64_t>(i) >= relu_inside_from);
  }
};

class StageImpl : public torch::nn::Module {
 public:
  /// Steps are registered as "block1", "block2", ...
  StageImpl(std::vector<std::shared_ptr<StepImpl>> steps, StageShape shape);
  /// In training with gradients, consecutive steps with one stage runner run through it (RevNet's
  /// recomputation); otherwise step by step.
  State forward(const State& state);
  const std::vector<std::shared_ptr<StepImpl>>& steps() const { return steps_; }
  const StageShape& shape() const { return shape_; }

 private:
  std::vector<std::shared_ptr<StepImpl>> steps_;
  StageShape shape_;
  /// Maximal runs of steps sharing a stage runner: start index → the runner and the run (addresses stay fixed).
  std::map<size_t, std::pair<StepImpl::StageRunner, std::vector<StepImpl*>>> runs_;
};

struct StagePlan {
  int64_t in_channels = 0, out_channels = 0, stride = 1, steps = 1;
  /// Makes the shortcut P of the opening transition step (from `in` to `out` channels with
  /// `stride`); empty: the stage has no transition.
  StageFieldMaker make_projection;
  bool relu_after_step = false;
  int number = 1;  ///< 1-based, for messages
};

/// A stage as a time-stepping loop: the scheme's transition step when a projection is
/// given (by default forward Euler, u_{n+1} = P(u_n) + f(u_n), history ← {P(u_n)}),
/// forward-Euler steps until the scheme's history is available (the paper's convention),
/// then the scheme's steps.
/// `index` counts steps over the network (of `count`), for depth-dependent schemes. The stage
/// keeps `make_field` (StageShape), so it must not refer to the caller's locals.
std::shared_ptr<StageImpl> build_stage(const StagePlan& plan, const Scheme& scheme, const StageFieldMaker& make_field,
                                       int& index, int count);

}  // namespace odenet
