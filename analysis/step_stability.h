// The linear stability of a network step of any scheme, built through the scheme's own
// make_step: on the test equation u' = λu with z = λΔt, the step is a linear recursion on
// (u_n, u_{n−1}, …) whose spectral radius decides stability (≤ 1: the step does not amplify).
// One-step methods give |R(z)|; LM-ResNet's step u_{n+1} = (1 − k) u_n + k u_{n−1} + z u_n the
// largest root of ρ(ζ) − z σ(ζ) = ζ² − (1 − k + z) ζ − k. A step that carries a velocity is a
// recursion on (u_n, v_n): momentum's [[1 + (1−γ)z, γ], [(1−γ)z, γ]]; the leapfrog network's
// [[1 + z, 1], [z, 1]] on ü = λu with z = λΔt² (stable for real z in [−4, 0]). A trained step's own
// coefficients (its learned k_n or γ) are copied in, so the region is that step's.
#pragma once
#include <complex>
#include <memory>
#include <vector>

#include "discretizations/scheme.h"

namespace odenet {

class StepStabilityProbe {
 public:
  /// A step of `scheme` with Δt = 1 on u' = z u (z a complex number as a 2 × 2 real block);
  /// `trained` (optional) gives its own coefficients — one per channel: their mean.
  /// Partitioned schemes (two fields on two halves) are a ConfigError.
  explicit StepStabilityProbe(const Scheme& scheme, const StepImpl* trained = nullptr);
  /// The spectral radius of the step's recursion at z.
  double spectral_radius(std::complex<double> z);
  /// z lies in the stability region: spectral radius ≤ 1 + 1e-9.
  bool stable(std::complex<double> z) { return spectral_radius(z) <= 1.0 + 1e-9; }
  int history() const { return history_; }

 private:
  struct LinearField;
  std::shared_ptr<LinearField> field_;
  std::shared_ptr<StepImpl> step_;
  int history_ = 1;
  bool carries_velocity_ = false;
};

/// The boundary of a probe's stability region along `rays` directions from the origin: on each
/// ray the largest r ≤ r_max, found by bisection to 1e-10, with the point r e^{iθ} stable and
/// a point just beyond it not (rays stable out to r_max give none).
std::vector<std::complex<double>> stability_boundary_by_rays(StepStabilityProbe& probe, int rays, double r_max);

}  // namespace odenet
