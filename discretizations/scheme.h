// The scheme plugin contract. A residual stage is a time-stepping loop: a
// *field* f computes one evaluation, a *scheme* combines evaluations of f and
// past states into the next state. The same step modules drive networks
// (Δt = 1, f a conv block) and analytic ODEs (f = λu), which is how every
// scheme is verified.
#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/coefficient_owner.h"
#include "core/json_reader.h"
#include "core/registry.h"
#include "core/version.h"

namespace odenet {

/// What `odenet schemes` prints, and what tests and tables read.
struct SchemeInfo {
  std::string name;             ///< registry name, e.g. "linear_multistep"
  std::string update;           ///< the update equation as text
  std::string description;      ///< which network family it is
  int order = 1;                ///< classical order as an ODE integrator
  int evaluations_per_step = 1; ///< evaluations of f per step
  int history = 1;              ///< states needed (1: one-step, 2: two-step)
  bool reversible = false;
  bool stochastic = false;
  double strong_order = 0, weak_order = 0;  ///< stochastic schemes only
  /// The state is split in two halves along dim 1 (X, Y) with fields X' = F(Y), Y' = G(X).
  bool partitioned = false;
  /// The scheme integrates the second-order ODE ü = f(u) (from rest), not u̇ = f(u).
  bool second_order = false;
  /// On post-activation layouts the ReLU that follows each step moves into the field,
  /// f(u) = ReLU(u + g(u)) − u (momentumnet's drop-in form): a step followed by nothing stays
  /// invertible, and forward Euler would compute ReLU(u + g(u)) as before.
  bool absorbs_post_activation = false;
  /// Non-empty when the scheme is a network block but no consistent integrator: why.
  std::string not_an_integrator;
  /// The modified equation's leading terms where known (e.g. "u̇ + (Δt/2) ü = f(u) + O(Δt²)").
  std::string modified_equation;
  /// The predicted C of the global error e(1) ≈ C Δt^order on u' = −u, u(0) = 1; 0: not known.
  double decay_error_constant = 0;
};
nlohmann::json to_json(const SchemeInfo& info);

/// Metadata of an Euler–Maruyama step of an SDE: stochastic, strong order ½, weak order 1.
SchemeInfo euler_maruyama_info(std::string name, std::string update, std::string description);
/// Why a step whose noise is proportional to f is not verified on the additive-noise problem.
extern const char* const kMultiplicativeNoise;

/// The state a step maps: the current value and what multistep schemes keep,
/// most recent first (history[0] = u_{n−1}, past_f[0] = the last step's f(u_{n−1})).
///
/// The step contract (docs/DESIGN.md, "Writing a scheme"): a stage starts with an empty history
/// (or, after its opening step, history = {P(u)}, past_f = {f}). A scheme whose SchemeInfo
/// declares `history = h` gets min(h − 1, steps) forward Euler starting steps that build the
/// history, so its first own step sees h − 1 entries in `history` and in `past_f` (one from
/// the opening). Its step must return the next state with its own u_n and f(u_n) first and the
/// older entries behind them, at most h − 1 of each; it never sees more than it passed on.
/// The starting steps are first order, so an h-step method of order p shows global order
/// min(p, 2) when h ≥ 3.
struct State {
  torch::Tensor u;
  std::vector<torch::Tensor> history;
  std::vector<torch::Tensor> past_f;
  /// Optional pre-drawn N(0, I) increments for a stochastic step (common random
  /// numbers, for strong errors); empty: the step draws its own.
  std::vector<torch::Tensor> noise;
  /// Second-order schemes (momentum): the velocity carried beside u; undefined: at rest (zero).
  /// Only the scheme's own steps set it, so a stage (and a transition) starts at rest.
  torch::Tensor velocity;
};

/// One evaluation of the vector field: u ↦ f(u).
class FieldImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor u) = 0;
};
/// Which field a step asks for: the whole state's f, or for a partitioned
/// (split) state X' = F(Y) (kFirst, maps the second half to the first's shape)
/// and Y' = G(X) (kSecond), or an SDE's diffusion g in dX = f dt + g dW
/// (kDiffusion; asked only by stochastic schemes integrating an SDE).
enum class FieldPart { kWhole, kFirst, kSecond, kDiffusion };
using FieldFactory = std::function<std::shared_ptr<FieldImpl>(FieldPart part)>;

/// Where a step sits: its step size and its index among the network's steps
/// (depth-dependent parameters such as stochastic depth's survival use it).
struct StepContext {
  double dt = 1.0;
  int index = 0;  ///< 0-based, over the whole network
  int count = 1;  ///< steps in the whole network
  int64_t channels = 0;  ///< channels (dim 1) of the state at this step; 0: not known (an ODE)
  /// The field is g of a post-activation layout: use ReLU(u + g(u)) − u (schemes whose info
  /// says absorbs_post_activation).
  bool relu_in_field = false;
};

/// One step of a scheme: State_n ↦ State_{n+1}.
class StepImpl : public torch::nn::Module, public CoefficientOwner {
 public:
  virtual State forward(const State& state) = 0;
  /// State_n from State_{n+1}, for reversible schemes (others throw).
  virtual State inverse(const State& next);
  /// The step's learned multistep coefficient k_n (one element, or one per channel); undefined
  /// for steps without one. Analysis and logging ask this instead of casting to step types.
  virtual torch::Tensor learned_k() const { return {}; }
  std::vector<torch::Tensor> coefficient_parameters() const override { return {}; }
  /// How a stage runs this step together with its neighbours while training: consecutive steps
  /// returning the same runner are run by it in one call (RevNet's recomputation keeps no
  /// activations; LM-ResNet's linked run fuses the two-step adjoint); null, the default: the
  /// stage calls forward step by step.
  using StageRunner = State (*)(const std::vector<StepImpl*>& steps, const State& state);
  virtual StageRunner stage_runner() const { return nullptr; }
  /// Whether the run may also take the step just before it when that step can_lead_run().
  virtual bool run_takes_lead() const { return false; }
  /// Whether this step (forward Euler, Δt = 1: it starts every multistep history) can open a run.
  virtual bool can_lead_run() const { return false; }
};

/// The mean learned k_n of every step of `model` that has one, by module path, in module order.
std::vector<std::pair<std::string, double>> learned_k_means(const torch::nn::Module& model);
/// The values of every per-channel learned k_n (more than one element), by module path.
std::vector<std::pair<std::string, std::vector<double>>> learned_k_channels(const torch::nn::Module& model);

class Scheme;

/// One coefficient of a modified equation at a learned value: its JSON key, its table header and value.
struct CoefficientTerm {
  std::string key, header;
  double value = 0;
};

/// What a learned coefficient c of a scheme's steps (StepImpl::learned_k) means, as the scheme
/// says; analysis, reports and plots ask this instead of knowing a scheme.
struct LearnedCoefficientMeaning {
  std::string symbol = "k";  ///< how tables and plots name it
  /// The scheme with the coefficient fixed at c, and the family's member without it: as
  /// integrators of u' = −u their error ratio is what the learned value buys.
  std::shared_ptr<const Scheme> fixed, without;
  std::string fixed_name;     ///< the fixed scheme in words, e.g. "an LM integrator"
  std::string without_name;   ///< in words, e.g. "forward Euler"
  std::string ratio_formula;  ///< the predicted error ratio as a formula of c, e.g. "(1 − k)/(1 + k)"
  /// The modified equation's coefficients at c (LM: 1 + k of u̇ and (1 − k)Δt/2 of ü).
  std::vector<CoefficientTerm> terms;
  bool zero_stable = true;             ///< whether a step with coefficient c is zero-stable
  std::vector<double> stability_bounds;  ///< where zero-stability ends (plots draw them)
  std::string stable_range;            ///< in words, e.g. "−1 < k ≤ 1"
};

class Scheme {
 public:
  virtual ~Scheme() = default;
  /// Metadata of this configured scheme (order may depend on parameters).
  virtual SchemeInfo info() const = 0;
  /// Builds one network step; `make_field` is called once per distinct field the step owns.
  virtual std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const = 0;
  /// The step as an integrator of u' = f (verification). Differs from the
  /// network step only where the scheme's consistency needs it (LM with fixed k
  /// scales f by 1 + k, PAPER.md §3).
  virtual std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                         const StepContext& context) const {
    return make_step(make_field, context);
  }
  /// The step that opens a stage by changing the state's shape (channels, resolution) with a
  /// shortcut projection P. Default, forward Euler: u_{n+1} = P(u_n) + f(u_n), which also
  /// restarts multistep histories. `make_field` and `make_projection` map the input's shape to
  /// the output's; for a partitioned scheme kFirst (F) reads the input's second half and
  /// kSecond (G) the new, output-shaped first half, and the projection is asked per half.
  virtual std::shared_ptr<StepImpl> make_transition_step(const FieldFactory& make_field,
                                                         const FieldFactory& make_projection,
                                                         const StepContext& context) const;
  /// The resolved parameters, as an experiment's scheme object (with "name").
  virtual nlohmann::json to_json() const = 0;
  /// What a learned coefficient c of this scheme's steps means; empty for schemes whose steps
  /// learn none.
  virtual std::optional<LearnedCoefficientMeaning> learned_coefficient(double c) const { return std::nullopt; }
};

/// A registered scheme: its default metadata and a builder from the scheme
/// object's parameters (strictly validated: unknown keys are errors).
struct SchemeEntry {
  SchemeInfo info;
  std::function<std::shared_ptr<Scheme>(const JsonReader& params)> build;
  /// Scheme objects (with "name") that cover the entry's options: the registry-driven tests
  /// (round trip, gradient check, every preset, order) build each one. An entry needs one at least.
  std::vector<nlohmann::json> examples;
};
using SchemeRegistry = Registry<SchemeEntry>;

/// Builds a scheme from `{"name": ..., params...}` (or a bare name string).
std::shared_ptr<Scheme> build_scheme(const SchemeRegistry& registry, const nlohmann::json& spec,
                                     const std::string& file, const std::string& path);

/// A scheme object as tables, run ids and plots label it: the registry name (an older spelling
/// read as today's entry) and the options that differ from that entry's defaults, e.g.
/// "runge_kutta tableau=midpoint"; a scheme this build lacks (a plugin's) is labelled as written.
std::string scheme_label(const nlohmann::json& spec);

/// Registers every built-in scheme (the table builtin_schemes.def) and the older spellings of
/// their names; a second call on the same registry is a duplicate-name error.
void register_builtin_schemes(SchemeRegistry& registry);

/// The process-wide registry with the built-in schemes (and any loaded plugins).
SchemeRegistry& scheme_registry();

/// The scheme of a model that names none: forward Euler (ResNet), built once.
std::shared_ptr<const Scheme> default_scheme();

/// How a run of `steps` steps of a scheme with `history` past states starts, in a network's stage
/// and in an integration alike (the step contract, `State`): min(history − 1, steps) forward
/// Euler steps build the history the scheme's own steps need.
int64_t starting_euler_steps(int history, int64_t steps);

/// A starting step of a scheme with `history` past states: forward Euler (Δt = dt) that keeps
/// the history − 2 entries before its own, so the scheme's first step sees history − 1 of them.
std::shared_ptr<StepImpl> make_starting_step(std::shared_ptr<FieldImpl> field, double dt, int history);

/// The scheme the starting steps are steps of (forward Euler), for analyses that probe them.
const Scheme& starting_scheme();

}  // namespace odenet
