#include "discretizations/linear_multistep.h"

#include <fmt/format.h>
#include <ATen/ops/linalg_eigvals.h>

#include <cmath>

#include "core/error.h"
#include "discretizations/lm_combination.h"
#include "discretizations/lm_run.h"

namespace odenet {
namespace {

bool trainable(const LinearMultistepOptions& o) { return o.method == LmMethod::kLmResnet && !o.fixed_k; }

// α, β of a fixed method as an integrator of u' = f.
std::pair<std::vector<double>, std::vector<double>> integrator_coefficients(const LinearMultistepOptions& o) {
  if (o.method == LmMethod::kLmResnet) {
    double k = o.fixed_k.value_or(0.5 * (o.k_init_low + o.k_init_high));
    return {{1 - k, k}, {1 + k}};
  }
  return {o.alpha, o.beta};
}

}  // namespace

const EnumNames<LmMethod>& lm_method_names() {
  static const EnumNames<LmMethod> names{{"lm_resnet", LmMethod::kLmResnet}, {"leapfrog", LmMethod::kLeapfrog},
                                         {"ab2", LmMethod::kAb2}, {"custom", LmMethod::kCustom}};
  return names;
}

const EnumNames<LmParametrization>& lm_parametrization_names() {
  static const EnumNames<LmParametrization> names{{"paper", LmParametrization::kPaper},
                                                  {"official", LmParametrization::kOfficial}};
  return names;
}

int multistep_order(const std::vector<double>& alpha, const std::vector<double>& beta) {
  auto power = [](double x, int q) { return q == 0 ? 1.0 : std::pow(x, q); };
  int order = -1;
  for (int q = 0; q <= 8; ++q) {
    double lhs = 1.0, rhs = 0.0;
    for (size_t j = 0; j < alpha.size(); ++j) lhs -= alpha[j] * power(-double(j), q);
    for (size_t j = 0; j < beta.size() && q > 0; ++j) rhs += q * beta[j] * power(-double(j), q - 1);
    if (std::abs(lhs - rhs) > 1e-10) break;
    order = q;
  }
  return std::max(order, 0);
}

bool zero_stable(const std::vector<double>& alpha) {
  const int64_t s = static_cast<int64_t>(alpha.size());
  if (s == 1) return std::abs(alpha[0]) <= 1.0;
  auto companion = torch::zeros({s, s}, torch::kFloat64);  // roots of ζ^s − Σ α_j ζ^{s−1−j}
  for (int64_t j = 0; j < s; ++j) companion[0][j] = alpha[j];
  for (int64_t i = 1; i < s; ++i) companion[i][i - 1] = 1.0;
  auto roots = at::linalg_eigvals(companion);
  auto modulus = roots.abs();
  for (int64_t i = 0; i < s; ++i) {
    double m = modulus[i].item<double>();
    if (m > 1 + 1e-9) return false;
    if (m > 1 - 1e-9)
      for (int64_t j = 0; j < s; ++j)
        if (j != i && (roots[i] - roots[j]).abs().item<double>() < 1e-6) return false;  // repeated on the circle
  }
  return true;
}

LinearMultistepStepImpl::LinearMultistepStepImpl(std::shared_ptr<FieldImpl> field, double dt,
                                                 const LinearMultistepOptions& o, bool integrator, int64_t channels,
                                                 std::optional<DropRule> drop)
    : field_(register_module("f", std::move(field))), dt_(dt), integrator_(integrator), drop_(std::move(drop)) {
  TORCH_CHECK(!drop_ || o.method == LmMethod::kLmResnet, "a dropped field needs the lm_resnet method");
  if (o.method != LmMethod::kLmResnet) {
    alpha_ = o.alpha;
    beta_ = o.beta;
    return;
  }
  official_ = o.parametrization == LmParametrization::kOfficial;
  const char* name = official_ ? "s" : "k";
  if (o.fixed_k) {
    coefficient_ = register_buffer(name, torch::full({1}, official_ ? 1.0 - *o.fixed_k : *o.fixed_k));
  } else {
    const bool per_channel = o.per_channel && !integrator;
    TORCH_CHECK(!per_channel || channels > 0, "a per-channel k needs the state's channel count");
    auto k = torch::empty({per_channel ? channels : 1}).uniform_(o.k_init_low, o.k_init_high);
    coefficient_ = register_parameter(name, official_ ? 1.0 - k : k);
  }
}

torch::Tensor LinearMultistepStepImpl::k() const {
  TORCH_CHECK(coefficient_.defined(), "k is defined for the lm_resnet method only");
  return official_ ? 1.0 - coefficient_ : coefficient_;
}

State LinearMultistepStepImpl::forward(const State& state) { return advance(state, field_->forward(state.u)); }

State LinearMultistepStepImpl::advance(const State& state, const torch::Tensor& f) {
  const torch::Tensor& u = state.u;
  if (coefficient_.defined()) {
    TORCH_CHECK(!state.history.empty(), "linear_multistep step needs u_{n-1}: start the stage with forward Euler");
    const torch::Tensor& previous = state.history[0];
    torch::Tensor scaled = drop_ ? (*drop_)(f, is_training()) : dt_ == 1.0 ? f : dt_ * f;
    if (integrator_) scaled = (1.0 + k()).to(u.dtype()) * scaled;  // a scalar k: consistent for u' = f
    // paper: (1 − k) u_n + k u_{n−1};  official: s u_n + (1 − s) u_{n−1}  (per channel: along dim 1)
    return State{lm_combination(u, previous, scaled, weight_of_u()), {u}, {f}};
  }
  const size_t s = std::max(alpha_.size(), beta_.size());
  TORCH_CHECK(state.history.size() + 1 >= alpha_.size() && state.past_f.size() + 1 >= beta_.size(),
              "linear_multistep step needs ", s - 1, " past states: start the stage with forward Euler");
  torch::Tensor next = alpha_[0] * u + (dt_ * beta_[0]) * f;
  for (size_t j = 1; j < alpha_.size(); ++j) next = next + alpha_[j] * state.history[j - 1];
  for (size_t j = 1; j < beta_.size(); ++j) next = next + (dt_ * beta_[j]) * state.past_f[j - 1];
  State out{next, {u}, {f}};
  for (size_t j = 0; j + 2 < s; ++j) {
    out.history.push_back(state.history[j]);
    out.past_f.push_back(state.past_f[j]);
  }
  return out;
}

StepImpl::StageRunner LinearMultistepStepImpl::stage_runner() const {
  return coefficient_.defined() && !integrator_ && !drop_ ? &run_linear_multistep : nullptr;
}

LinearMultistep::LinearMultistep(LinearMultistepOptions options) : options_(std::move(options)) {}

SchemeInfo LinearMultistep::metadata() {
  SchemeInfo i;
  i.name = "linear_multistep";
  i.update = "u_{n+1} = (1-k_n) u_n + k_n u_{n-1} + Δt f_n(u_n); generally Σ α_j u_{n-j} + Δt Σ β_j f(u_{n-j})";
  i.description = "LM-ResNet (trainable k_n); leapfrog (k = 1: the midpoint network of Chang et al. 2018), Adams-Bashforth 2, any explicit LM method";
  i.order = 1;
  i.evaluations_per_step = 1;
  i.history = 2;
  return i;
}

SchemeInfo LinearMultistep::info() const {
  SchemeInfo i = metadata();
  if (options_.method == LmMethod::kLmResnet) {
    i.modified_equation = "(1 + k_n) u̇ + (1 − k_n)(Δt/2) ü = f(u) + O(Δt²)";
    // With a fixed k the error on u' = −u is (1 − k)/(1 + k) times forward Euler's, e^{−1}/2.
    if (options_.fixed_k) i.decay_error_constant = (1 - *options_.fixed_k) / (1 + *options_.fixed_k) * std::exp(-1.0) / 2;
  }
  if (!trainable(options_)) {
    auto [alpha, beta] = integrator_coefficients(options_);
    i.order = multistep_order(alpha, beta);
    i.history = static_cast<int>(std::max(alpha.size(), beta.size()));
  }
  return i;
}

std::shared_ptr<StepImpl> LinearMultistep::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<LinearMultistepStepImpl>(make_field(FieldPart::kWhole), c.dt, options_, false, c.channels);
}

std::shared_ptr<StepImpl> LinearMultistep::make_integrator_step(const FieldFactory& make_field,
                                                                const StepContext& c) const {
  return std::make_shared<LinearMultistepStepImpl>(make_field(FieldPart::kWhole), c.dt, options_, true);
}

LearnedCoefficientMeaning lm_resnet_coefficient_meaning(double k) {
  auto fixed_at = [](double value) {
    LinearMultistepOptions o;
    o.fixed_k = value;
    return std::make_shared<const LinearMultistep>(o);
  };
  LearnedCoefficientMeaning m;
  m.symbol = "k";
  m.fixed = fixed_at(k);
  m.without = fixed_at(0.0);  // u_{n+1} = u_n + Δt f: forward Euler
  m.fixed_name = "an LM integrator";
  m.without_name = "forward Euler";
  m.ratio_formula = "(1 − k)/(1 + k)";
  m.terms = {{"one_plus_k", "1 + k_n", 1 + k}, {"mass", "(1 − k_n)Δt/2", (1 - k) / 2}};
  m.zero_stable = zero_stable({1.0 - k, k});
  m.stability_bounds = {-1.0, 1.0};
  m.stable_range = "−1 < k ≤ 1";
  return m;
}

std::optional<LearnedCoefficientMeaning> LinearMultistep::learned_coefficient(double k) const {
  if (options_.method != LmMethod::kLmResnet) return std::nullopt;
  return lm_resnet_coefficient_meaning(k);
}

nlohmann::json LinearMultistep::to_json() const {
  nlohmann::json j{{"name", "linear_multistep"}, {"method", enum_name(lm_method_names(), options_.method)}};
  if (options_.method == LmMethod::kLmResnet) {
    add_lm_resnet_to_json(j, options_);
  } else if (options_.method == LmMethod::kCustom) {
    j["alpha"] = options_.alpha;
    j["beta"] = options_.beta;
  }
  return j;
}

void read_lm_resnet_options(const JsonReader& params, LinearMultistepOptions& o) {
  o.method = LmMethod::kLmResnet;
  o.parametrization = enum_value(params, "parametrization", lm_parametrization_names(), LmParametrization::kPaper);
  auto range = params.numbers("k_init", -10, 10, {-0.1, 0.0});
  if (range.size() != 2 || range[0] > range[1]) params.fail("k_init", "expected [low, high] with low <= high");
  o.k_init_low = range[0];
  o.k_init_high = range[1];
  if (params.has("k")) {
    if (params.has("k_init")) params.fail("k", "give either a fixed k or a k_init range, not both");
    o.fixed_k = params.number("k", -10, 10);
  }
  o.per_channel = params.boolean("per_channel", false);
  if (o.per_channel && o.fixed_k) params.fail("per_channel", "a per-channel k is trainable: not with a fixed k");
}

void add_lm_resnet_to_json(nlohmann::json& j, const LinearMultistepOptions& o) {
  j["parametrization"] = enum_name(lm_parametrization_names(), o.parametrization);
  if (o.fixed_k) {
    j["k"] = *o.fixed_k;
  } else {
    j["k_init"] = {o.k_init_low, o.k_init_high};
    if (o.per_channel) j["per_channel"] = true;
  }
}

LinearMultistepOptions linear_multistep_options_from_json(const JsonReader& params) {
  LinearMultistepOptions o;
  o.method = enum_value(params, "method", lm_method_names(), LmMethod::kLmResnet);
  if (o.method == LmMethod::kLmResnet) {
    read_lm_resnet_options(params, o);
    return o;
  }
  if (o.method == LmMethod::kLeapfrog) {  // u_{n+1} = u_{n−1} + 2Δt f(u_n)
    o.alpha = {0.0, 1.0};
    o.beta = {2.0};
  } else if (o.method == LmMethod::kAb2) {  // u_{n+1} = u_n + Δt (3/2 f_n − 1/2 f_{n−1})
    o.alpha = {1.0};
    o.beta = {1.5, -0.5};
  } else {
    o.alpha = params.numbers("alpha", -100, 100, {});
    o.beta = params.numbers("beta", -100, 100, {});
    if (o.alpha.empty() || o.beta.empty()) params.fail(o.alpha.empty() ? "alpha" : "beta", "required for method custom");
    if (multistep_order(o.alpha, o.beta) < 1)
      params.fail("alpha", "inconsistent method: needs Σα = 1 and Σ(−j)α_j + Σβ_j = 1 (order ≥ 1)");
    if (!zero_stable(o.alpha)) params.fail("alpha", "not zero-stable: a root of ρ lies outside the unit disc or repeats on it");
  }
  return o;
}

void register_linear_multistep(SchemeRegistry& registry) {
  registry.add("linear_multistep", SchemeEntry{LinearMultistep::metadata(),
                                               [](const JsonReader& params) {
                                                 return std::make_shared<LinearMultistep>(
                                                     linear_multistep_options_from_json(params));
                                               },
                                               {{{"name", "linear_multistep"}},
                                                {{"name", "linear_multistep"}, {"parametrization", "official"}},
                                                {{"name", "linear_multistep"}, {"per_channel", true}},
                                                {{"name", "linear_multistep"}, {"k", -0.5}},
                                                {{"name", "linear_multistep"}, {"k", 0.5}},
                                                {{"name", "linear_multistep"}, {"k", 1.0}},
                                                {{"name", "linear_multistep"}, {"method", "leapfrog"}},
                                                {{"name", "linear_multistep"}, {"method", "ab2"}},
                                                {{"name", "linear_multistep"},
                                                 {"method", "custom"},
                                                 {"alpha", {0.5, 0.5}},
                                                 {"beta", {1.75, -0.25}}}}});
}

}  // namespace odenet
