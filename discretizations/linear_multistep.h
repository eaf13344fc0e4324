// Explicit linear multistep methods given by coefficients,
//   u_{n+1} = Σ_j α_j u_{n−j} + Δt Σ_j β_j f(u_{n−j}),
// with the LM-ResNet step (Lu et al. 2018, PAPER.md §2) as the default method:
//   u_{n+1} = (1 − k_n) u_n + k_n u_{n−1} + Δt f_n(u_n)
// with one trainable k_n per step (init U(−0.1, 0)) or a fixed k. The official
// code's parametrisation s_n = 1 − k_n (init U(1, 1.1)) is the same model.
// k = 0 is forward Euler, k = 1 the explicit midpoint (leapfrog) method.
// As an integrator of u' = f the LM step scales f by (1 + k), which makes it
// consistent: (1 + k) u̇ + (1 − k)(Δt/2) ü = (1 + k) f (PAPER.md §3).
#pragma once
#include <optional>

#include "discretizations/stochastic_depth.h"

#include "discretizations/scheme.h"

namespace odenet {

/// lm_resnet (trainable or fixed k), leapfrog (k = 1), ab2 (Adams–Bashforth 2), custom (`alpha`, `beta`).
enum class LmMethod { kLmResnet, kLeapfrog, kAb2, kCustom };
/// lm_resnet: learn k ("paper") or s = 1 − k ("official", the official code's).
enum class LmParametrization { kPaper, kOfficial };
const EnumNames<LmMethod>& lm_method_names();
const EnumNames<LmParametrization>& lm_parametrization_names();

struct LinearMultistepOptions {
  LmMethod method = LmMethod::kLmResnet;
  LmParametrization parametrization = LmParametrization::kPaper;
  /// lm_resnet: uniform initialisation range of k (the official s range is 1 − this).
  double k_init_low = -0.1, k_init_high = 0.0;
  /// lm_resnet: a fixed, non-trainable k (then the init range is unused).
  std::optional<double> fixed_k;
  /// lm_resnet networks: one trainable k per channel instead of one per step (the integrator
  /// form used for verification keeps one k).
  bool per_channel = false;
  /// custom (and the resolved fixed methods): α_j and β_j for j = 0, 1, …
  std::vector<double> alpha, beta;
};

/// Classical order of the method (α, β) from its order conditions
/// 1 − Σ α_j (−j)^q = q Σ β_j (−j)^{q−1}, q = 0, 1, …; 0 when inconsistent.
int multistep_order(const std::vector<double>& alpha, const std::vector<double>& beta);
/// Root condition of ρ(ζ) = ζ^s − Σ α_j ζ^{s−1−j}: roots in the closed unit disc, simple on its boundary.
bool zero_stable(const std::vector<double>& alpha);

class LinearMultistepStepImpl : public StepImpl {
 public:
  /// `integrator`: scale f by 1 + k for a trainable/fixed lm_resnet k (see above).
  /// `channels`: the state's channels, needed for a per-channel k.
  /// `drop` (stochastic_lm): Δt f is replaced by the dropped term of stochastic depth.
  LinearMultistepStepImpl(std::shared_ptr<FieldImpl> field, double dt, const LinearMultistepOptions& options,
                          bool integrator, int64_t channels = 0, std::optional<DropRule> drop = std::nullopt);
  /// Needs the history the method uses; stages start it with forward Euler.
  State forward(const State& state) override;
  /// The step with f = f(u_n) already evaluated.
  State advance(const State& state, const torch::Tensor& f);
  /// The current k_n (lm_resnet only; one element, or one per channel; in k whatever the parametrisation).
  torch::Tensor k() const;
  /// Whether the step is an LM-ResNet step with a k (trainable or fixed).
  bool has_k() const { return coefficient_.defined(); }
  torch::Tensor learned_k() const override { return has_k() ? k() : torch::Tensor(); }
  /// k ("paper") or s = 1 − k ("official") when trained; a fixed k is a buffer.
  std::vector<torch::Tensor> coefficient_parameters() const override {
    return coefficient_.defined() && coefficient_.requires_grad() ? std::vector<torch::Tensor>{coefficient_}
                                                                    : std::vector<torch::Tensor>{};
  }
  FieldImpl& field() { return *field_; }
  double dt() const { return dt_; }
  /// The weight w of u_n in u_{n+1} = w u_n + (1 − w) u_{n−1} + Δt f (w = 1 − k), differentiable in k.
  torch::Tensor weight_of_u() const { return official_ ? coefficient_ : 1.0 - coefficient_; }
  /// Network LM-ResNet steps (a k, no drop rule, not the integrator form) train as one linked run.
  StageRunner stage_runner() const override;
  bool run_takes_lead() const override { return true; }

 private:
  std::shared_ptr<FieldImpl> field_;
  double dt_;
  bool official_ = false, integrator_ = false;
  torch::Tensor coefficient_;        // lm_resnet: k ("paper") or s ("official"); parameter or buffer
  std::vector<double> alpha_, beta_; // other methods
  std::optional<DropRule> drop_;
};

class LinearMultistep : public Scheme {
 public:
  explicit LinearMultistep(LinearMultistepOptions options);
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;
  /// lm_resnet: k_n as the modified equation (1 + k) u̇ + (1 − k)(Δt/2) ü = f reads it.
  std::optional<LearnedCoefficientMeaning> learned_coefficient(double k) const override;

 private:
  LinearMultistepOptions options_;
};

/// What an LM-ResNet step's k means (its scheme and stochastic LM's): the LM integrator with k
/// fixed against k = 0 (forward Euler), error ratio (1 − k)/(1 + k); 1 + k and (1 − k)Δt/2; the
/// root condition of ζ² − (1 − k)ζ − k, zero-stable for −1 < k ≤ 1.
LearnedCoefficientMeaning lm_resnet_coefficient_meaning(double k);

LinearMultistepOptions linear_multistep_options_from_json(const JsonReader& params);
/// The lm_resnet keys (parametrization, k_init, k, per_channel), read into and written from `options`.
void read_lm_resnet_options(const JsonReader& params, LinearMultistepOptions& options);
void add_lm_resnet_to_json(nlohmann::json& j, const LinearMultistepOptions& options);
void register_linear_multistep(SchemeRegistry& registry);

}  // namespace odenet
