#include "analysis/step_stability.h"

#include <ATen/ops/linalg_eigvals.h>
#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace odenet {

// f(u) = M u on states of shape [2, 1] (rows: the real and imaginary parts of one complex
// number), M = [[a, −b], [b, a]] for z = a + ib.
struct StepStabilityProbe::LinearField : FieldImpl {
  torch::Tensor m = torch::zeros({2, 2}, torch::kFloat64);
  torch::Tensor forward(torch::Tensor u) override { return torch::matmul(m, u); }
};

StepStabilityProbe::StepStabilityProbe(const Scheme& scheme, const StepImpl* trained) {
  const SchemeInfo info = scheme.info();
  if (info.partitioned)
    throw ConfigError(fmt::format("scheme '{}' splits the state into two halves: its linear stability is not a region in z",
                                  info.name));
  history_ = std::max(1, info.history);
  field_ = std::make_shared<LinearField>();
  step_ = scheme.make_step([&](FieldPart) -> std::shared_ptr<FieldImpl> { return field_; },
                           StepContext{1.0, 0, 1, /*channels=*/1});
  step_->to(torch::kFloat64);
  step_->eval();
  if (history_ == 1) {  // a second-order scheme's (one-step) step carries a velocity: the recursion is on (u, v)
    torch::NoGradGuard no_grad;
    carries_velocity_ = step_->forward(State{torch::zeros({2, 1}, torch::kFloat64), {}, {}, {}}).velocity.defined();
  }
  if (!trained) return;
  torch::NoGradGuard no_grad;
  const auto params = trained->named_parameters(/*recurse=*/false);
  const auto buffers = trained->named_buffers(/*recurse=*/false);
  auto copy = [&](const std::string& name, torch::Tensor& value) {
    const torch::Tensor* source = params.find(name);
    if (!source) source = buffers.find(name);
    if (!source) return;
    if (source->sizes() == value.sizes())
      value.copy_(*source);
    else
      value.fill_(source->to(torch::kFloat64).mean().item<double>());  // per channel: the mean
  };
  for (auto& p : step_->named_parameters(/*recurse=*/false)) copy(p.key(), p.value());
  for (auto& b : step_->named_buffers(/*recurse=*/false)) copy(b.key(), b.value());
}

double StepStabilityProbe::spectral_radius(std::complex<double> z) {
  torch::NoGradGuard no_grad;
  field_->m = torch::tensor({{z.real(), -z.imag()}, {z.imag(), z.real()}}, torch::kFloat64);
  // The recursion's vector (u_n, u_{n−1}, …, u_{n−h+1}) — or (u_n, v_n) for a step that carries a
  // velocity — 2 reals each; column c of G is the image of basis vector c: the step's u_{n+1} on
  // top, then v_{n+1} or the older states shifted down.
  const int64_t size = carries_velocity_ ? 4 : 2 * history_;
  auto g = torch::zeros({size, size}, torch::kFloat64);
  for (int64_t c = 0; c < size; ++c) {
    auto e = torch::zeros({size}, torch::kFloat64);
    e[c] = 1.0;
    auto part = [&](int64_t j) { return e.narrow(0, 2 * j, 2).reshape({2, 1}); };
    State s{part(0), {}, {}, {}};
    if (carries_velocity_) {
      s.velocity = part(1);
      const State next = step_->forward(s);
      g.select(1, c).narrow(0, 0, 2).copy_(next.u.reshape({2}));
      g.select(1, c).narrow(0, 2, 2).copy_(next.velocity.reshape({2}));
      continue;
    }
    for (int64_t j = 1; j < history_; ++j) {
      s.history.push_back(part(j));
      s.past_f.push_back(field_->forward(part(j)));
    }
    const State next = step_->forward(s);
    g.select(1, c).narrow(0, 0, 2).copy_(next.u.reshape({2}));
    if (history_ > 1) g.select(1, c).narrow(0, 2, size - 2).copy_(e.narrow(0, 0, size - 2));
  }
  return at::linalg_eigvals(g).abs().max().item<double>();
}

std::vector<std::complex<double>> stability_boundary_by_rays(StepStabilityProbe& probe, int rays, double r_max) {
  std::vector<std::complex<double>> boundary;
  for (int i = 0; i < rays; ++i) {
    const double theta = 2 * M_PI * i / rays;
    const std::complex<double> direction = std::polar(1.0, theta);
    // March out to the first unstable point, then bisect between it and the last stable one.
    double stable = 0, unstable = -1;
    const int marches = 400;
    for (int k = 1; k <= marches; ++k) {
      const double r = r_max * k / marches;
      if (!probe.stable(r * direction)) {
        unstable = r;
        break;
      }
      stable = r;
    }
    if (unstable < 0) continue;
    while (unstable - stable > 1e-10) {
      const double mid = 0.5 * (stable + unstable);
      (probe.stable(mid * direction) ? stable : unstable) = mid;
    }
    boundary.push_back(stable * direction);
  }
  return boundary;
}

}  // namespace odenet
