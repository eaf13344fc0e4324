// The dominant eigenvalues of a field's Jacobian ∂f/∂u at a state u, without forming it: Arnoldi
// iteration on Jacobian–vector products J v, each an exact double backward through f (Haber &
// Ruthotto 2017 ask where these eigenvalues × Δt lie against a scheme's stability region).
#pragma once
#include <torch/types.h>

#include <complex>
#include <functional>
#include <vector>

namespace odenet {

/// J v at `u` for a batch of tangents `v` (u's shape): ∂/∂w ⟨(∂f/∂u)ᵀ w, v⟩, exact.
torch::Tensor jacobian_vector_product(const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& u,
                                      const torch::Tensor& v);

/// Per example of the batch `u` ([N, ...]; the Jacobian of f is block diagonal over examples):
/// the Ritz values of `iterations` Arnoldi steps from a random start drawn from `seed` — the
/// eigenvalues of the Hessenberg matrix Vᵀ J V, which approximate J's extremal eigenvalues first
/// and equal all of them once the Krylov space is J's whole space. Gram–Schmidt runs twice per
/// step; an example whose Krylov space closes early keeps the Ritz values found so far.
std::vector<std::vector<std::complex<double>>> jacobian_ritz_values(
    const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& u, int iterations, uint64_t seed);

}  // namespace odenet
