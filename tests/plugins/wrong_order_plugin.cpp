// A scheme plugin that lies about its order: forward Euler declaring order 2. `odenet
// test-scheme` and `verify-scheme --tolerance` must fail on it.
#include "discretizations/scheme.h"

namespace {

class EulerStepImpl : public odenet::StepImpl {
 public:
  EulerStepImpl(std::shared_ptr<odenet::FieldImpl> field, double dt) : field_(register_module("f", std::move(field))), dt_(dt) {}
  odenet::State forward(const odenet::State& state) override {
    auto f = field_->forward(state.u);
    return odenet::State{state.u + dt_ * f, {state.u}, {f}};
  }

 private:
  std::shared_ptr<odenet::FieldImpl> field_;
  double dt_;
};

odenet::SchemeInfo claimed_info() {
  odenet::SchemeInfo info;
  info.name = "euler_claiming_order_two";
  info.update = "u_{n+1} = u_n + Δt f(u_n)";
  info.description = "forward Euler declaring order 2 (a test plugin)";
  info.order = 2;  // wrong: forward Euler is first order
  return info;
}

class EulerClaimingOrderTwo : public odenet::Scheme {
 public:
  odenet::SchemeInfo info() const override { return claimed_info(); }
  std::shared_ptr<odenet::StepImpl> make_step(const odenet::FieldFactory& make_field,
                                              const odenet::StepContext& context) const override {
    return std::make_shared<EulerStepImpl>(make_field(odenet::FieldPart::kWhole), context.dt);
  }
  nlohmann::json to_json() const override { return {{"name", "euler_claiming_order_two"}}; }
};

}  // namespace

ODENET_PLUGIN_ABI_STAMP

extern "C" void odenet_register(odenet::SchemeRegistry& registry) {
  registry.add("euler_claiming_order_two",
               odenet::SchemeEntry{claimed_info(), [](const odenet::JsonReader&) { return std::make_shared<EulerClaimingOrderTwo>(); },
                                   {{{"name", "euler_claiming_order_two"}}}});
}
