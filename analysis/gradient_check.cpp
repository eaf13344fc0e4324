#include "analysis/gradient_check.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace odenet {
namespace {

// d loss / d x[i] by central differences.
double finite_difference(const std::function<torch::Tensor()>& loss, torch::Tensor x, int64_t i, double h) {
  torch::NoGradGuard no_grad;
  auto flat = x.view(-1);
  const double saved = flat[i].item<double>();
  flat[i] = saved + h;
  const double plus = loss().item<double>();
  flat[i] = saved - h;
  const double minus = loss().item<double>();
  flat[i] = saved;
  return (plus - minus) / (2 * h);
}

}  // namespace

GradientCheck check_step_gradients(StepImpl& step, const State& state, double h) {
  step.to(torch::kFloat64);
  step.eval();  // BatchNorm at its running statistics: a fixed smooth function
  torch::manual_seed(1);
  auto x = state.u.clone().set_requires_grad(true);
  torch::Tensor weights;
  {
    torch::NoGradGuard no_grad;
    weights = torch::randn_like(step.forward(state).u);  // the output's shape
  }
  auto loss = [&]() { return (step.forward(State{x, state.history, state.past_f, state.noise}).u * weights).sum(); };
  loss().backward();
  GradientCheck check;
  const auto input_grad = x.grad().clone();
  for (int64_t i : {int64_t{0}, x.numel() / 3, x.numel() - 1})
    check.input_error = std::max(check.input_error,
                                 std::abs(input_grad.view(-1)[i].item<double>() - finite_difference(loss, x, i, h)));
  // The first parameter the output depends on (an evaluation column may leave others unused).
  auto params = step.parameters();
  auto used = std::find_if(params.begin(), params.end(), [](const torch::Tensor& t) { return t.grad().defined(); });
  if (used == params.end()) return check;
  check.parameter_checked = true;
  const auto param_grad = used->grad().clone();
  auto data = used->detach();
  for (int64_t i : {int64_t{0}, used->numel() - 1})
    check.parameter_error = std::max(
        check.parameter_error, std::abs(param_grad.view(-1)[i].item<double>() - finite_difference(loss, data, i, h)));
  return check;
}

}  // namespace odenet
