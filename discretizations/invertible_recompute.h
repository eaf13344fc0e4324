// Training without stored activations (RevNet's memory saving, Gomez et al. 2017, for every
// invertible step): a run of steps that implement `inverse` is applied keeping none of its
// activations for the backward pass; there, each step's input state — u and, for second-order
// schemes (momentum, leapfrog), its velocity — is rebuilt from its output with the exact inverse,
//   RevNet: Y = Y' − G(X'), X = X' − F(Y);   momentum: u = u' − v', v = (v' − (1 − γ) f(u)) / γ,
// and the step is recomputed from it to differentiate. Activation memory of the run is that of
// one step instead of one per step. A run that starts at rest (no velocity) recomputes its first
// step from rest. BatchNorm running statistics are updated once, by the forward pass.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

/// State_{n+k} from State_n through `steps` (invertible steps whose stage_runner() is this
/// function), differentiable in u, the velocity and the steps' parameters.
State run_invertible_recomputing(const std::vector<StepImpl*>& steps, const State& state);

}  // namespace odenet
