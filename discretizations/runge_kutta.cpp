#include "discretizations/runge_kutta.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace odenet {

namespace {

struct TableauRow {
  const char* name;
  std::vector<double> a;  ///< row-major
  std::vector<double> b, c;
  int order;
};

}  // namespace

ButcherTableau checked_tableau(const std::string& name, const std::vector<double>& a_row_major, std::vector<double> b,
                               std::vector<double> c, int declared_order) {
  ButcherTableau t{name, {}, std::move(b), std::move(c), declared_order};
  const size_t s = t.b.size();
  if (a_row_major.size() != s * s)
    throw std::logic_error(fmt::format("Butcher tableau '{}': a has {} entries for {} stages", name, a_row_major.size(), s));
  for (size_t i = 0; i < s; ++i) t.a.emplace_back(a_row_major.begin() + i * s, a_row_major.begin() + (i + 1) * s);
  validate_tableau(t, [&](const std::string& key, const std::string& message) {
    throw std::logic_error(fmt::format("Butcher tableau '{}': {}: {}", name, key, message));
  });
  if (const int derived = tableau_order(t); derived != declared_order)
    throw std::logic_error(fmt::format("Butcher tableau '{}' declares order {} but satisfies the order conditions of "
                                       "order {}", name, declared_order, derived));
  return t;
}

const std::vector<ButcherTableau>& butcher_presets() {
  static const std::vector<ButcherTableau> presets = [] {
#define ODENET_LIST(...) {__VA_ARGS__}
#define ODENET_TABLEAU(name, a, b, c, order) TableauRow{name, a, b, c, order},
    const std::vector<TableauRow> rows{
#include "discretizations/butcher_tableaus.def"
    };
#undef ODENET_TABLEAU
#undef ODENET_LIST
    std::vector<ButcherTableau> tableaus;
    for (const auto& row : rows) tableaus.push_back(checked_tableau(row.name, row.a, row.b, row.c, row.order));
    return tableaus;
  }();
  return presets;
}

void validate_tableau(const ButcherTableau& t,
                      const std::function<void(const std::string&, const std::string&)>& fail) {
  const size_t s = t.b.size();
  if (s == 0) fail("b", "needs at least one stage");
  if (t.a.size() != s) fail("a", fmt::format("has {} rows for {} stages (length of b)", t.a.size(), s));
  if (t.c.size() != s) fail("c", fmt::format("has {} entries for {} stages (length of b)", t.c.size(), s));
  for (size_t i = 0; i < s; ++i) {
    if (t.a[i].size() != s) fail(fmt::format("a/{}", i), fmt::format("has {} entries, expected {}", t.a[i].size(), s));
    double row = 0;
    for (size_t j = 0; j < s; ++j) {
      if (j >= i && t.a[i][j] != 0) fail(fmt::format("a/{}/{}", i, j), "explicit tableaus only: a_ij must be 0 for j >= i");
      row += t.a[i][j];
    }
    if (std::abs(row - t.c[i]) > 1e-12) fail(fmt::format("c/{}", i), fmt::format("row {} of a sums to {}, not c_{} = {}", i, row, i, t.c[i]));
  }
  double sum = 0;
  for (double x : t.b) sum += x;
  if (std::abs(sum - 1) > 1e-12) fail("b", fmt::format("sums to {}, not 1", sum));
}

int tableau_order(const ButcherTableau& t) {
  const size_t s = t.b.size();
  auto dot = [&](const std::vector<double>& x) {
    double r = 0;
    for (size_t i = 0; i < s; ++i) r += t.b[i] * x[i];
    return r;
  };
  auto times_a = [&](const std::vector<double>& x) {
    std::vector<double> y(s, 0);
    for (size_t i = 0; i < s; ++i)
      for (size_t j = 0; j < s; ++j) y[i] += t.a[i][j] * x[j];
    return y;
  };
  auto near = [](double x, double y) { return std::abs(x - y) < 1e-10; };
  std::vector<double> ones(s, 1), c = t.c, c2(s), c3(s), cac(s);
  for (size_t i = 0; i < s; ++i) c2[i] = c[i] * c[i], c3[i] = c2[i] * c[i];
  auto ac = times_a(c), ac2 = times_a(c2), aac = times_a(ac);
  for (size_t i = 0; i < s; ++i) cac[i] = c[i] * ac[i];
  if (!near(dot(ones), 1)) return 0;
  if (!near(dot(c), 0.5)) return 1;
  if (!near(dot(c2), 1.0 / 3) || !near(dot(ac), 1.0 / 6)) return 2;
  if (!near(dot(c3), 0.25) || !near(dot(cac), 0.125) || !near(dot(ac2), 1.0 / 12) || !near(dot(aac), 1.0 / 24)) return 3;
  return 4;  // conditions beyond order 4 are not checked
}

RungeKuttaStepImpl::RungeKuttaStepImpl(const ButcherTableau& tableau, const FieldFactory& make_field, double dt,
                                       bool shared_fields)
    : tableau_(tableau), dt_(dt) {
  for (size_t i = 0; i < tableau.b.size(); ++i) {
    if (shared_fields && i > 0) {
      fields_.push_back(fields_[0]);
      continue;
    }
    fields_.push_back(register_module(shared_fields ? "f" : "f" + std::to_string(i + 1), make_field(FieldPart::kWhole)));
  }
}

State RungeKuttaStepImpl::forward(const State& state) {
  const auto& u = state.u;
  const size_t s = tableau_.b.size();
  std::vector<torch::Tensor> k(s);
  torch::Tensor next = u;
  for (size_t i = 0; i < s; ++i) {
    torch::Tensor stage = u;
    for (size_t j = 0; j < i; ++j)
      if (tableau_.a[i][j] != 0) stage = stage + (dt_ * tableau_.a[i][j]) * k[j];
    k[i] = fields_[i]->forward(stage);
    if (tableau_.b[i] != 0) next = next + (dt_ * tableau_.b[i]) * k[i];
  }
  return State{next, {u}, {k[0]}};
}

RungeKutta::RungeKutta(ButcherTableau tableau, bool shared_fields)
    : tableau_(std::move(tableau)), shared_fields_(shared_fields) {}

SchemeInfo RungeKutta::metadata() {
  SchemeInfo i;
  i.name = "runge_kutta";
  i.update = "k_i = f(u_n + Δt Σ_j a_ij k_j); u_{n+1} = u_n + Δt Σ_i b_i k_i";
  i.description = "explicit Runge-Kutta from a Butcher tableau (default rk4; euler, midpoint, heun, ralston, rk38, or a/b/c)";
  i.order = 4;
  i.evaluations_per_step = 4;
  i.history = 1;
  return i;
}

SchemeInfo RungeKutta::info() const {
  SchemeInfo i = metadata();
  i.order = tableau_.order;
  i.evaluations_per_step = static_cast<int>(tableau_.b.size());
  i.update += " (" + tableau_.name + ")";
  return i;
}

std::shared_ptr<StepImpl> RungeKutta::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<RungeKuttaStepImpl>(tableau_, make_field, c.dt, shared_fields_);
}

nlohmann::json RungeKutta::to_json() const {
  nlohmann::json j{{"name", "runge_kutta"}, {"tableau", tableau_.name}, {"shared_fields", shared_fields_}};
  if (tableau_.name == "custom") {
    j["a"] = tableau_.a;
    j["b"] = tableau_.b;
    j["c"] = tableau_.c;
  }
  return j;
}

void register_runge_kutta(SchemeRegistry& registry) {
  registry.add("runge_kutta", SchemeEntry{RungeKutta::metadata(), [](const JsonReader& p) {
                 std::vector<std::string> names;
                 for (const auto& t : butcher_presets()) names.push_back(t.name);
                 names.push_back("custom");
                 bool given = p.has("a") || p.has("b") || p.has("c");
                 std::string name = p.one_of("tableau", names, given ? "custom" : "rk4");
                 ButcherTableau t;
                 if (name == "custom") {
                   t.name = "custom";
                   const auto& a = p.raw("a");
                   if (!a.is_array()) p.fail("a", "required: the tableau's a as an array of rows");
                   for (size_t i = 0; i < a.size(); ++i) {
                     if (!a[i].is_array()) p.fail(fmt::format("a/{}", i), "expected an array of numbers");
                     std::vector<double> row;
                     for (size_t j = 0; j < a[i].size(); ++j) {
                       if (!a[i][j].is_number()) p.fail(fmt::format("a/{}/{}", i, j), "expected a number");
                       row.push_back(a[i][j].get<double>());
                     }
                     t.a.push_back(row);
                   }
                   t.b = p.numbers("b", -100, 100, {});
                   t.c = p.numbers("c", -100, 100, {});
                   validate_tableau(t, [&](const std::string& key, const std::string& m) { p.fail(key, m); });
                   t.order = tableau_order(t);
                 } else {
                   if (given) p.fail("tableau", "give a preset tableau or a, b, c, not both");
                   for (const auto& preset : butcher_presets())
                     if (preset.name == name) t = preset;
                 }
                 return std::make_shared<RungeKutta>(t, p.boolean("shared_fields", true));
               },
               [] {
                 std::vector<nlohmann::json> examples{{{"name", "runge_kutta"}, {"tableau", "midpoint"}, {"shared_fields", false}},
                                                      {{"name", "runge_kutta"}, {"a", {{0.0, 0.0}, {1.0, 0.0}}}, {"b", {0.5, 0.5}}, {"c", {0.0, 1.0}}}};
                 for (const auto& t : butcher_presets()) examples.push_back({{"name", "runge_kutta"}, {"tableau", t.name}});
                 return examples;
               }()});
}

}  // namespace odenet
