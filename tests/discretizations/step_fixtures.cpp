#include "tests/discretizations/step_fixtures.h"

#include <gtest/gtest.h>

#include "architectures/fields.h"

namespace odenet::test {

FieldFactory conv_fields() {
  return [](FieldPart part) -> std::shared_ptr<FieldImpl> {
    int64_t c = part == FieldPart::kWhole ? kChannels : kChannels / 2;
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(c, c).activation(Activation::kPre));
  };
}

std::shared_ptr<StepImpl> block(const nlohmann::json& spec) {
  torch::manual_seed(0);
  auto scheme = build_scheme(scheme_registry(), spec, "test", "");
  auto step = scheme->make_step(conv_fields(), StepContext{1.0, 0, 1});
  for (auto& p : step->parameters()) p.data().add_(0.01 * torch::randn_like(p));  // break symmetric inits
  step->eval();
  return step;
}

FieldImpl& child(StepImpl& step, const std::string& name) {
  auto module = step.named_modules("", false)[name];
  auto* field = dynamic_cast<FieldImpl*>(module.get());
  EXPECT_NE(field, nullptr) << name;
  return *field;
}

double max_difference(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

torch::Tensor input() { return torch::randn({2, kChannels, 6, 6}); }

std::shared_ptr<Scheme> scheme(const nlohmann::json& spec) { return build_scheme(scheme_registry(), spec, "test", ""); }

}  // namespace odenet::test
