// An odenet scheme built outside the framework: the third-order strong-
// stability-preserving Runge–Kutta method of Shu and Osher,
//   u1 = u_n + Δt f(u_n)
//   u2 = ¾ u_n + ¼ (u1 + Δt f(u1))
//   u_{n+1} = ⅓ u_n + ⅔ (u2 + Δt f(u2))
// Build it as a shared library and load it with `odenet --plugin PATH ...`.
#include "discretizations/scheme.h"

namespace {

class Ssprk3StepImpl : public odenet::StepImpl {
 public:
  Ssprk3StepImpl(std::shared_ptr<odenet::FieldImpl> field, double dt)
      : field_(register_module("f", std::move(field))), dt_(dt) {}

  odenet::State forward(const odenet::State& state) override {
    const auto& u = state.u;
    auto u1 = u + dt_ * field_->forward(u);
    auto u2 = 0.75 * u + 0.25 * (u1 + dt_ * field_->forward(u1));
    return odenet::State{u / 3.0 + (2.0 / 3.0) * (u2 + dt_ * field_->forward(u2)), {u}, {}};
  }

 private:
  std::shared_ptr<odenet::FieldImpl> field_;
  double dt_;
};

odenet::SchemeInfo ssprk3_info() {
  odenet::SchemeInfo info;
  info.name = "ssprk3";
  info.update = "u1 = u + Δt f(u); u2 = 3/4 u + 1/4 (u1 + Δt f(u1)); u_{n+1} = 1/3 u + 2/3 (u2 + Δt f(u2))";
  info.description = "Shu-Osher SSP Runge-Kutta 3 (example plugin)";
  info.order = 3;
  info.evaluations_per_step = 3;
  info.history = 1;
  return info;
}

class Ssprk3 : public odenet::Scheme {
 public:
  odenet::SchemeInfo info() const override { return ssprk3_info(); }
  std::shared_ptr<odenet::StepImpl> make_step(const odenet::FieldFactory& make_field,
                                              const odenet::StepContext& context) const override {
    return std::make_shared<Ssprk3StepImpl>(make_field(odenet::FieldPart::kWhole), context.dt);
  }
  nlohmann::json to_json() const override { return {{"name", "ssprk3"}}; }
};

}  // namespace

ODENET_PLUGIN_ABI_STAMP

/// The plugin's registration: adds its schemes.
extern "C" void odenet_register(odenet::SchemeRegistry& registry) {
  registry.add("ssprk3", odenet::SchemeEntry{ssprk3_info(),
                                             [](const odenet::JsonReader&) { return std::make_shared<Ssprk3>(); },
                                             {{{"name", "ssprk3"}}}});
}
