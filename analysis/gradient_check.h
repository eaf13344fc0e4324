// Float64 gradient check of a step: autograd against central finite differences of the scalar
// loss Σ w ⊙ step(state).u with fixed random weights w, for entries of the input and of the
// first parameter the output depends on. BatchNorm is at its running statistics (eval mode).
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

struct GradientCheck {
  double input_error = 0;      ///< the largest |autograd − finite difference| over the input entries checked
  double parameter_error = 0;  ///< likewise over the parameter entries checked
  bool parameter_checked = false;  ///< false: no parameter received a gradient
};

/// Moves `step` to float64 and checks the input's entries 0, n/3 and n − 1 and the first used
/// parameter's first and last, with central differences of step `h`.
GradientCheck check_step_gradients(StepImpl& step, const State& state, double h = 1e-6);

}  // namespace odenet
