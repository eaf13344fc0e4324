#include "analysis/jacobian_spectrum.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ops/linalg_eigvals.h>
#include <torch/autograd.h>

#include <algorithm>

namespace odenet {

torch::Tensor jacobian_vector_product(const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& u,
                                      const torch::Tensor& v) {
  torch::AutoGradMode enable(true);
  const auto x = u.detach().requires_grad_();
  const auto y = f(x);
  // g(w) = Jᵀ w is linear in w; its derivative along v with respect to w is J v.
  const auto w = torch::zeros_like(y).requires_grad_();
  const auto g = torch::autograd::grad({y}, {x}, {w}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  return torch::autograd::grad({g}, {w}, {v}, /*retain_graph=*/false, /*create_graph=*/false)[0].detach();
}

std::vector<std::vector<std::complex<double>>> jacobian_ritz_values(
    const std::function<torch::Tensor(const torch::Tensor&)>& f, const torch::Tensor& u, int iterations, uint64_t seed) {
  const int64_t n = u.size(0);
  const int64_t dim = u.numel() / std::max<int64_t>(n, 1);
  const int k_max = static_cast<int>(std::min<int64_t>(iterations, dim));
  auto options = u.options().dtype(torch::kFloat64).device(torch::kCPU);
  at::Generator generator = at::detail::createCPUGenerator(seed);
  auto dot = [](const torch::Tensor& a, const torch::Tensor& b) { return (a * b).sum(1); };  // per example
  std::vector<torch::Tensor> basis;  // [n, dim] each, in float64 on the CPU
  auto start = at::randn({n, dim}, generator, torch::kFloat64);
  basis.push_back(start / start.norm(2, {1}, true));
  auto hessenberg = torch::zeros({n, k_max + 1, k_max}, options);
  std::vector<int> size(static_cast<size_t>(n), k_max);  // Krylov dimension reached per example
  for (int j = 0; j < k_max; ++j) {
    auto v = basis.back().to(u.scalar_type()).to(u.device()).reshape(u.sizes());
    auto w = jacobian_vector_product(f, u, v).reshape({n, dim}).to(torch::kCPU, torch::kFloat64);
    for (int pass = 0; pass < 2; ++pass)  // modified Gram–Schmidt, repeated once for orthogonality
      for (int i = 0; i <= j; ++i) {
        auto h = dot(w, basis[i]);
        hessenberg.select(1, i).select(1, j).add_(h);
        w = w - h.unsqueeze(1) * basis[i];
      }
    auto norm = w.norm(2, {1});
    hessenberg.select(1, j + 1).select(1, j).copy_(norm);
    auto scale = hessenberg.select(2, j).abs().amax(1);  // this column's size
    auto closed = norm <= 1e-12 * scale.clamp_min(1.0);  // the Krylov space is invariant: J's eigenvalues found
    for (int64_t e = 0; e < n; ++e)
      if (size[e] == k_max && closed[e].item<bool>()) size[e] = j + 1;
    basis.push_back(torch::where(closed.unsqueeze(1), torch::zeros_like(w), w / norm.clamp_min(1e-300).unsqueeze(1)));
  }
  std::vector<std::vector<std::complex<double>>> values(static_cast<size_t>(n));
  for (int64_t e = 0; e < n; ++e) {
    const int64_t k = size[e];
    auto eig = at::linalg_eigvals(hessenberg[e].narrow(0, 0, k).narrow(1, 0, k)).to(torch::kComplexDouble);
    auto data = eig.contiguous();
    const auto* z = data.data_ptr<c10::complex<double>>();
    for (int64_t i = 0; i < k; ++i) values[e].emplace_back(z[i].real(), z[i].imag());
    std::sort(values[e].begin(), values[e].end(),
              [](const auto& a, const auto& b) { return std::abs(a) > std::abs(b); });
  }
  return values;
}

}  // namespace odenet
