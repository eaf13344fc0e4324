#include "discretizations/polynet.h"

#include <fmt/format.h>

namespace odenet {

PolyNetStepImpl::PolyNetStepImpl(const FieldFactory& make_field, double dt, bool two_fields) : dt_(dt) {
  f_ = register_module("F", make_field(FieldPart::kWhole));
  if (two_fields) g_ = register_module("G", make_field(FieldPart::kWhole));
}

State NeumannFixedPointStepImpl::forward(const State& state) {  // v ← u + F(v), K times
  const auto& u = state.u;
  torch::Tensor next = u;
  for (int j = 0; j < terms_; ++j) next = u + apply(*f_, next);
  return State{next, {u}, {}};
}

State PolyNetLiteralStepImpl::forward(const State& state) {  // u + F(u) + F(F(u)) + …
  const auto& u = state.u;
  torch::Tensor term = u, next = u;
  for (int j = 0; j < terms_; ++j) {
    term = apply(*f_, term);
    next = next + term;
  }
  return State{next, {u}, {}};
}

State PolyNetMpolyStepImpl::forward(const State& state) {
  const auto& u = state.u;
  auto fu = apply(*f_, u);
  return State{u + fu + apply(*g_, fu), {u}, {}};
}

State PolyNetWayStepImpl::forward(const State& state) {
  const auto& u = state.u;
  return State{u + apply(*f_, u) + apply(*g_, u), {u}, {}};
}

const EnumNames<PolyNetRule>& PolyNet::names() {
  static const EnumNames<PolyNetRule> names{{"neumann_fixed_point", PolyNetRule::kNeumannFixedPoint},
                                            {"polynet_literal", PolyNetRule::kLiteral},
                                            {"polynet_mpoly", PolyNetRule::kMpoly},
                                            {"polynet_way", PolyNetRule::kWay}};
  return names;
}

namespace {

SchemeInfo polynet_info(PolyNetRule rule, int terms) {
  SchemeInfo i;
  i.name = enum_name(PolyNet::names(), rule);
  i.order = 1;
  i.history = 1;
  i.evaluations_per_step = 2;
  switch (rule) {
    case PolyNetRule::kNeumannFixedPoint:
      i.evaluations_per_step = terms;
      i.update = fmt::format("v_0 = u_n, v_{{j+1}} = u_n + F(v_j), u_{{n+1}} = v_{}", terms);
      i.description = "backward Euler u_{n+1} = (I - F)^{-1} u_n by K fixed-point iterations (PolyNet's consistent form)";
      break;
    case PolyNetRule::kLiteral:
      i.evaluations_per_step = terms;
      i.update = fmt::format("u_{{n+1}} = Σ_{{j=0}}^{} F^j(u_n) (literal Neumann series)", terms);
      i.description = "PolyNet's poly-K block: the Neumann series of (I - F)^{-1} applied literally";
      i.not_an_integrator =
          "the literal series F(F(u)) is consistent with backward Euler only for linear F (use neumann_fixed_point)";
      break;
    case PolyNetRule::kMpoly:
      i.update = "u_{n+1} = u + F(u) + G(F(u))";
      i.description = "PolyNet's mpoly block (two fields)";
      i.not_an_integrator = "mpoly composes two different fields (G∘F): a network block, not a discretisation of u' = f";
      break;
    case PolyNetRule::kWay:
      i.update = "u_{n+1} = u + F(u) + G(u)";
      i.description = "PolyNet's 2-way block (two fields)";
      i.not_an_integrator = "way sums two fields: with one f it steps u' = 2f, not u' = f; a network block only";
      break;
  }
  return i;
}

bool has_terms(PolyNetRule rule) { return rule == PolyNetRule::kNeumannFixedPoint || rule == PolyNetRule::kLiteral; }

}  // namespace

SchemeInfo PolyNet::info() const { return polynet_info(rule_, terms_); }

std::shared_ptr<StepImpl> PolyNet::make_step(const FieldFactory& make_field, const StepContext& c) const {
  switch (rule_) {
    case PolyNetRule::kNeumannFixedPoint: return std::make_shared<NeumannFixedPointStepImpl>(make_field, c.dt, terms_);
    case PolyNetRule::kLiteral: return std::make_shared<PolyNetLiteralStepImpl>(make_field, c.dt, terms_);
    case PolyNetRule::kMpoly: return std::make_shared<PolyNetMpolyStepImpl>(make_field, c.dt);
    case PolyNetRule::kWay: break;
  }
  return std::make_shared<PolyNetWayStepImpl>(make_field, c.dt);
}

nlohmann::json PolyNet::to_json() const {
  nlohmann::json j{{"name", enum_name(names(), rule_)}};
  if (has_terms(rule_)) j["terms"] = terms_;
  return j;
}

void register_polynet(SchemeRegistry& registry) {
  for (const auto& [name, rule] : PolyNet::names()) {
    const PolyNetRule r = rule;
    std::vector<nlohmann::json> examples{nlohmann::json{{"name", name}}};
    if (has_terms(r)) examples.push_back(nlohmann::json{{"name", name}, {"terms", 3}});
    registry.add(name, SchemeEntry{polynet_info(r, 2),
                                   [r](const JsonReader& p) {
                                     const int terms = has_terms(r) ? static_cast<int>(p.integer("terms", 1, 16, 2)) : 2;
                                     return std::make_shared<PolyNet>(r, terms);
                                   },
                                   examples});
  }
}

}  // namespace odenet
