#include "discretizations/reversible.h"

#include "discretizations/invertible_recompute.h"

#include "core/error.h"

namespace odenet {
namespace {

std::pair<torch::Tensor, torch::Tensor> halves(const torch::Tensor& u) {
  TORCH_CHECK(u.size(1) % 2 == 0, "reversible schemes split dim 1 in two equal halves; it has ", u.size(1));
  auto parts = u.chunk(2, 1);
  return {parts[0], parts[1]};
}

}  // namespace

ReversibleStepImpl::ReversibleStepImpl(const FieldFactory& make_field, double dt, bool verlet, bool recompute, double f_sign)
    : dt_(dt), verlet_(verlet), recompute_(recompute), f_sign_(f_sign) {
  f_ = register_module("F", make_field(FieldPart::kFirst));
  g_ = register_module("G", make_field(FieldPart::kSecond));
}

ReversibleStepImpl::ReversibleStepImpl(const FieldFactory& make_field, const FieldFactory& make_projection, double dt)
    : dt_(dt), verlet_(false) {
  f_ = register_module("F", make_field(FieldPart::kFirst));
  g_ = register_module("G", make_field(FieldPart::kSecond));
  project_x_ = register_module("project_x", make_projection(FieldPart::kFirst));
  project_y_ = register_module("project_y", make_projection(FieldPart::kSecond));
}

StepImpl::StageRunner ReversibleStepImpl::stage_runner() const {
  return recomputes() ? &run_invertible_recomputing : nullptr;
}

State ReversibleStepImpl::forward(const State& state) {
  auto [x, y] = halves(state.u);
  if (project_x_) {
    auto x_next = project_x_->forward(x) + dt_ * f_->forward(y);
    auto y_next = project_y_->forward(y) + dt_ * g_->forward(x_next);
    return State{torch::cat({x_next, y_next}, 1), {}, {}};
  }
  if (verlet_) {
    auto y_half = y + (0.5 * dt_) * g_->forward(x);
    auto x_next = x + dt_ * f_->forward(y_half);
    auto y_next = y_half + (0.5 * dt_) * g_->forward(x_next);
    return State{torch::cat({x_next, y_next}, 1), {state.u}, {}};
  }
  auto x_next = x + (f_sign_ * dt_) * f_->forward(y);
  auto y_next = y + dt_ * g_->forward(x_next);
  return State{torch::cat({x_next, y_next}, 1), {state.u}, {}};
}

State ReversibleStepImpl::inverse(const State& next) {
  if (project_x_) throw Error("a reversible transition step projects (subsamples) its halves: it has no inverse");
  auto [x_next, y_next] = halves(next.u);
  if (verlet_) {
    auto y_half = y_next - (0.5 * dt_) * g_->forward(x_next);
    auto x = x_next - dt_ * f_->forward(y_half);
    auto y = y_half - (0.5 * dt_) * g_->forward(x);
    return State{torch::cat({x, y}, 1), {}, {}};
  }
  auto y = y_next - dt_ * g_->forward(x_next);
  auto x = x_next - (f_sign_ * dt_) * f_->forward(y);
  return State{torch::cat({x, y}, 1), {}, {}};
}

SchemeInfo Reversible::metadata() {
  SchemeInfo i;
  i.name = "reversible";
  i.update = "X' = X + Δt F(Y), Y' = Y + Δt G(X') (revnet); Störmer-Verlet (verlet)";
  i.description = "RevNet coupling (symplectic Euler) and Hamiltonian/leapfrog networks, exactly invertible";
  i.order = 1;
  i.evaluations_per_step = 2;
  i.history = 1;
  i.reversible = true;
  i.partitioned = true;
  return i;
}

SchemeInfo Reversible::hamiltonian_metadata() {
  SchemeInfo i = metadata();
  i.name = "hamiltonian";
  i.update = "Y' = Y − Δt F(Z), Z' = Z + Δt G(Y')";
  i.description = "Hamiltonian network (Chang et al. 2018; with block \"hamiltonian\": F, G = −Kᵀσ(K·)), exactly invertible";
  return i;
}

SchemeInfo Reversible::info() const {
  if (hamiltonian_) return hamiltonian_metadata();
  SchemeInfo i = metadata();
  if (verlet_) {
    i.order = 2;
    i.evaluations_per_step = 3;
    i.update = "Y½ = Y + Δt/2 G(X), X' = X + Δt F(Y½), Y' = Y½ + Δt/2 G(X') (verlet)";
  } else {
    i.update = "X' = X + Δt F(Y), Y' = Y + Δt G(X') (revnet)";
  }
  return i;
}

std::shared_ptr<StepImpl> Reversible::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<ReversibleStepImpl>(make_field, c.dt, verlet_, recompute_, hamiltonian_ ? -1.0 : 1.0);
}

std::shared_ptr<StepImpl> Reversible::make_integrator_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<ReversibleStepImpl>(make_field, c.dt, verlet_, recompute_);
}

std::shared_ptr<StepImpl> Reversible::make_transition_step(const FieldFactory& make_field,
                                                           const FieldFactory& make_projection,
                                                           const StepContext& c) const {
  return std::make_shared<ReversibleStepImpl>(make_field, make_projection, c.dt);
}

nlohmann::json Reversible::to_json() const {
  if (hamiltonian_) return {{"name", "hamiltonian"}, {"recompute", recompute_}};
  return {{"name", "reversible"}, {"method", verlet_ ? "verlet" : "revnet"}, {"recompute", recompute_}};
}

void register_reversible(SchemeRegistry& registry) {
  registry.add("reversible", SchemeEntry{Reversible::metadata(), [](const JsonReader& p) {
                 bool verlet = p.one_of("method", {"revnet", "verlet"}, "revnet") == "verlet";
                 return std::make_shared<Reversible>(verlet, p.boolean("recompute", false));
               },
               {{{"name", "reversible"}},
                {{"name", "reversible"}, {"method", "verlet"}},
                {{"name", "reversible"}, {"recompute", true}}}});
  registry.add("hamiltonian", SchemeEntry{Reversible::hamiltonian_metadata(), [](const JsonReader& p) {
                 return std::make_shared<Reversible>(false, p.boolean("recompute", false), true);
               },
               {{{"name", "hamiltonian"}}, {{"name", "hamiltonian"}, {"recompute", true}}}});
}

}  // namespace odenet
