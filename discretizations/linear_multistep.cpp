#include "discretizations/linear_multistep.h"

#include <fmt/format.h>

#include "core/error.h"

namespace odenet {

LinearMultistepStepImpl::LinearMultistepStepImpl(std::shared_ptr<FieldImpl> field, double dt,
                                                 const LinearMultistepOptions& o)
    : field_(register_module("f", std::move(field))), dt_(dt), official_(o.parametrization == "official") {
  const char* name = official_ ? "s" : "k";
  if (o.fixed_k) {
    coefficient_ = register_buffer(name, torch::full({1}, official_ ? 1.0 - *o.fixed_k : *o.fixed_k));
  } else {
    auto k = torch::empty({1}).uniform_(o.k_init_low, o.k_init_high);
    coefficient_ = register_parameter(name, official_ ? 1.0 - k : k);
  }
}

torch::Tensor LinearMultistepStepImpl::k() const { return official_ ? 1.0 - coefficient_ : coefficient_; }

State LinearMultistepStepImpl::forward(const State& state) {
  TORCH_CHECK(!state.history.empty(), "linear_multistep step needs u_{n-1}: start the stage with forward Euler");
  const torch::Tensor& u = state.u;
  const torch::Tensor& previous = state.history[0];
  torch::Tensor f = field_->forward(u);
  if (dt_ != 1.0) f = dt_ * f;
  torch::Tensor c = coefficient_.to(u.dtype());
  // paper: (1 − k) u_n + k u_{n−1};  official: s u_n + (1 − s) u_{n−1}
  torch::Tensor next = official_ ? c * u + (1.0 - c) * previous + f : (1.0 - c) * u + c * previous + f;
  return State{next, {u}};
}

LinearMultistep::LinearMultistep(LinearMultistepOptions options) : options_(std::move(options)) {}

SchemeInfo LinearMultistep::metadata() {
  SchemeInfo i;
  i.name = "linear_multistep";
  i.update = "u_{n+1} = (1-k_n) u_n + k_n u_{n-1} + Δt f_n(u_n)";
  i.description = "LM-ResNet (linear two-step method, trainable k_n)";
  i.order = 1;
  i.evaluations_per_step = 1;
  i.history = 2;
  return i;
}

SchemeInfo LinearMultistep::info() const {
  SchemeInfo i = metadata();
  if (options_.fixed_k && *options_.fixed_k == 1.0) i.order = 2;  // explicit midpoint: the ü term vanishes
  return i;
}

std::shared_ptr<StepImpl> LinearMultistep::make_step(const FieldFactory& make_field, double dt) const {
  return std::make_shared<LinearMultistepStepImpl>(make_field(), dt, options_);
}

nlohmann::json LinearMultistep::to_json() const {
  nlohmann::json j{{"name", "linear_multistep"}, {"parametrization", options_.parametrization}};
  if (options_.fixed_k)
    j["k"] = *options_.fixed_k;
  else
    j["k_init"] = {options_.k_init_low, options_.k_init_high};
  return j;
}

LinearMultistepOptions linear_multistep_options_from_json(const JsonReader& params) {
  LinearMultistepOptions o;
  o.parametrization = params.one_of("parametrization", {"paper", "official"}, "paper");
  auto range = params.numbers("k_init", -10, 10, {-0.1, 0.0});
  if (range.size() != 2 || range[0] > range[1])
    params.fail("k_init", "expected [low, high] with low <= high");
  o.k_init_low = range[0];
  o.k_init_high = range[1];
  if (params.has("k")) {
    if (params.has("k_init")) params.fail("k", "give either a fixed k or a k_init range, not both");
    o.fixed_k = params.number("k", -10, 10);
  }
  return o;
}

void register_linear_multistep(SchemeRegistry& registry) {
  registry.add("linear_multistep", SchemeEntry{LinearMultistep::metadata(), [](const JsonReader& params) {
                                                 return std::make_shared<LinearMultistep>(
                                                     linear_multistep_options_from_json(params));
                                               }});
}

}  // namespace odenet
