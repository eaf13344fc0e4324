// Memory-free training of momentum steps reversed in exact arithmetic (the momentumnet library's
// option): the run's u and v held in fixed point through the forward pass, the bits that γ's
// multiplications discard kept per element (ExactMomentum), so that the backward pass rebuilds
// every step's input bit for bit however long the run and however small γ — where the float
// inverse, v_n = (v_{n+1} − (1 − γ) f(u_n)) / γ, multiplies its rounding error by 1/γ per step.
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

/// State_{n+k} from State_n through momentum steps built with exact_reversal, differentiable in
/// u, the velocity and the steps' parameters; memory: the fixed-point state and −log₂ γ bits
/// per element and step.
State run_momentum_exactly_recomputing(const std::vector<StepImpl*>& steps, const State& state);

}  // namespace odenet
