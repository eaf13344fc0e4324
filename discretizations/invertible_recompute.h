// Training without stored activations (RevNet's memory saving, Gomez et al. 2017, for every
// invertible step): a run of steps that implement `inverse` is applied keeping none of its
// activations for the backward pass; there, each step's input state — u and, for second-order
// schemes (momentum, leapfrog), its velocity — is rebuilt from its output with the exact inverse,
//   RevNet: Y = Y' − G(X'), X = X' − F(Y);   momentum: u = u' − v', v = (v' − (1 − γ) f(u)) / γ,
// and the step is recomputed from it to differentiate. Activation memory of the run is that of
// one step instead of one per step. A run that starts at rest (no velocity) recomputes its first
// step from rest. BatchNorm running statistics are updated once, by the forward pass.
#pragma once
#include <ATen/core/ivalue.h>

#include "discretizations/scheme.h"

namespace odenet {

/// How a run's steps are applied without a graph and then undone, last step first, for the
/// backward pass: by each step's own `inverse` (float arithmetic), or exactly (exact_momentum_run.h).
class Reversal : public torch::CustomClassHolder {
 public:
  /// The run's output state.
  virtual State forward(const std::vector<StepImpl*>& steps, const State& state) = 0;
  /// The input state of `step` from its output `next`; called once per step, last step first.
  virtual State inverse(StepImpl& step, const State& next) = 0;
};

/// State_{n+k} from State_n through `steps`, undone by `reversal` to differentiate.
State run_recomputing(const std::vector<StepImpl*>& steps, const State& state, c10::intrusive_ptr<Reversal> reversal);

/// State_{n+k} from State_n through `steps` (invertible steps whose stage_runner() is this
/// function), differentiable in u, the velocity and the steps' parameters.
State run_invertible_recomputing(const std::vector<StepImpl*>& steps, const State& state);

}  // namespace odenet
