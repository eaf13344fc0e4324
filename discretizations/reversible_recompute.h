// RevNet's memory saving (Gomez et al. 2017): a run of invertible reversible steps
// is applied without keeping any of its activations for the backward pass; there,
// each step's input is rebuilt from its output with the exact inverse,
//   Y = Y' − G(X'),  X = X' − F(Y),
// and the step is recomputed from it to differentiate. Activation memory of the run
// is that of one step instead of one per step. BatchNorm running statistics are
// updated once, by the forward pass (the rebuilding and recomputation leave them).
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

/// u_{n+k} from u_n through `steps` (invertible reversible steps whose stage_runner() is this
/// function), differentiable in u and in the steps' parameters.
State run_reversible_recomputing(const std::vector<StepImpl*>& steps, const State& state);

}  // namespace odenet
