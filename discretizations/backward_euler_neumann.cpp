#include "discretizations/backward_euler_neumann.h"

#include <fmt/format.h>

namespace odenet {

NeumannStepImpl::NeumannStepImpl(const FieldFactory& make_field, double dt, const NeumannOptions& options)
    : dt_(dt), options_(options) {
  f_ = register_module("F", make_field(FieldPart::kWhole));
  if (options.form == "mpoly" || options.form == "way") g_ = register_module("G", make_field(FieldPart::kWhole));
}

State NeumannStepImpl::forward(const State& state) {
  const auto& u = state.u;
  torch::Tensor next;
  if (options_.form == "literal") {  // u + F(u) + F(F(u)) + …
    torch::Tensor term = u;
    next = u;
    for (int j = 0; j < options_.terms; ++j) {
      term = apply(*f_, term);
      next = next + term;
    }
  } else if (options_.form == "fixed_point") {  // v ← u + F(v), K times
    next = u;
    for (int j = 0; j < options_.terms; ++j) next = u + apply(*f_, next);
  } else if (options_.form == "mpoly") {
    auto fu = apply(*f_, u);
    next = u + fu + apply(*g_, fu);
  } else {  // way
    next = u + apply(*f_, u) + apply(*g_, u);
  }
  return State{next, {u}, {}};
}

SchemeInfo BackwardEulerNeumann::metadata() {
  SchemeInfo i;
  i.name = "backward_euler_neumann";
  i.update = "u_{n+1} = u + F(u + F(u)) (fixed_point, K = 2); u + F(u) + F(F(u)) (literal)";
  i.description = "PolyNet: backward Euler u_{n+1} = (I - F)^{-1} u_n by Neumann series / fixed-point iteration";
  i.order = 1;
  i.evaluations_per_step = 2;
  i.history = 1;
  return i;
}

SchemeInfo BackwardEulerNeumann::info() const {
  SchemeInfo i = metadata();
  const auto& f = options_.form;
  i.evaluations_per_step = (f == "literal" || f == "fixed_point") ? options_.terms : 2;
  if (f == "literal") {
    i.update = fmt::format("u_{{n+1}} = Σ_{{j=0}}^{} F^j(u_n) (literal Neumann series)", options_.terms);
    i.not_an_integrator =
        "the literal series F(F(u)) is consistent with backward Euler only for linear F (use form fixed_point)";
  } else if (f == "fixed_point") {
    i.update = fmt::format("v_0 = u_n, v_{{j+1}} = u_n + F(v_j), u_{{n+1}} = v_{}", options_.terms);
  } else if (f == "mpoly") {
    i.update = "u_{n+1} = u + F(u) + G(F(u)) (mpoly)";
    i.not_an_integrator = "mpoly composes two different fields (G∘F): a network block, not a discretisation of u' = f";
  } else {
    i.update = "u_{n+1} = u + F(u) + G(u) (way)";
    i.not_an_integrator = "way sums two fields: with one f it steps u' = 2f, not u' = f; a network block only";
  }
  return i;
}

std::shared_ptr<StepImpl> BackwardEulerNeumann::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<NeumannStepImpl>(make_field, c.dt, options_);
}

nlohmann::json BackwardEulerNeumann::to_json() const {
  nlohmann::json j{{"name", "backward_euler_neumann"}, {"form", options_.form}};
  if (options_.form == "literal" || options_.form == "fixed_point") j["terms"] = options_.terms;
  return j;
}

void register_backward_euler_neumann(SchemeRegistry& registry) {
  registry.add("backward_euler_neumann", SchemeEntry{BackwardEulerNeumann::metadata(), [](const JsonReader& p) {
                 NeumannOptions o;
                 o.form = p.one_of("form", {"fixed_point", "literal", "mpoly", "way"}, "fixed_point");
                 if (o.form == "literal" || o.form == "fixed_point")
                   o.terms = static_cast<int>(p.integer("terms", 1, 16, 2));
                 return std::make_shared<BackwardEulerNeumann>(o);
               }});
}

}  // namespace odenet
