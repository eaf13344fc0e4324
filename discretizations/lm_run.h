// LM-ResNet's steps as one linked run while training (PAPER.md §2). Each step is
//   u_{m+1} = w_m u_m + (1 − w_m) u_{m−1} + g_m,   g_m = Δt f_m(u_m),  w = 1 − k.
// Step by step, autograd scales each upstream gradient into two new tensors and adds them
// into the gradients of u_m and u_{m−1}. In a linked run a step's backward forms the whole
// adjoint of its output in one loop,
//   λ_{m+1} = G_{m+1} + w_{m+1} λ_{m+2} + (1 − w_{m+2}) λ_{m+3},
// (G: what the rest of the graph sends, f_{m+1}'s Jacobian term included) together with
// ∂L/∂w_m = Σ λ_{m+1} ⊙ (u_m − u_{m−1}), reading λ_{m+2}, λ_{m+3} from the run's shared record
// instead of receiving scaled copies through autograd. The forward Euler step (Δt = 1) that
// opens a stage joins the run as w = 1 without u_{m−1}. Only the run's first step returns
// gradients for its inputs (those the run did not make).
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

/// Stage runner of network LM-ResNet steps, led by a forward Euler step where the stage has one:
/// the values and gradients of step-by-step forward, with the fused CPU loops where they apply
/// (float32/float64, contiguous or channels-last) and the steps' own operations elsewhere.
State run_linear_multistep(const std::vector<StepImpl*>& steps, const State& state);

}  // namespace odenet
