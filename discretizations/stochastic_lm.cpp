#include "discretizations/stochastic_lm.h"

namespace odenet {

SchemeInfo StochasticLm::metadata() {
  SchemeInfo i = euler_maruyama_info("stochastic_lm",
                                     "X_{n+1} = (1 - k_n) X_n + k_n X_{n-1} + η_n f(X_n), η_n ~ Bernoulli(p_n)",
                                     "stochastic LM-ResNet: LM-ResNet steps whose field stochastic depth drops");
  i.history = 2;
  i.not_an_integrator = "stochastic_lm has a trainable k per block: a network block, verified through its drift";
  return i;
}

std::shared_ptr<StepImpl> StochasticLm::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<LinearMultistepStepImpl>(make_field(FieldPart::kWhole), c.dt, options_.lm, false, c.channels,
                                                   DropRule(options_.drop, c, false));
}

std::shared_ptr<StepImpl> StochasticLm::make_integrator_step(const FieldFactory& make_field,
                                                             const StepContext& c) const {
  return std::make_shared<LinearMultistepStepImpl>(make_field(FieldPart::kWhole), c.dt, options_.lm, true, 0,
                                                   DropRule(options_.drop, c, true));
}

nlohmann::json StochasticLm::to_json() const {
  nlohmann::json j{{"name", "stochastic_lm"}};
  add_lm_resnet_to_json(j, options_.lm);
  add_to_json(j, options_.drop);
  return j;
}

void register_stochastic_lm(SchemeRegistry& registry) {
  registry.add("stochastic_lm", SchemeEntry{StochasticLm::metadata(),
                                            [](const JsonReader& p) {
                                              StochasticLmOptions o;
                                              read_lm_resnet_options(p, o.lm);
                                              o.drop = stochastic_depth_options_from_json(p);
                                              return std::make_shared<StochasticLm>(o);
                                            },
                                            {{{"name", "stochastic_lm"}},
                                             {{"name", "stochastic_lm"}, {"survival", 0.8}, {"parametrization", "official"}},
                                             {{"name", "stochastic_lm"}, {"per_channel", true}, {"scaling", "huang"}},
                                             {{"name", "stochastic_lm"}, {"k", -0.05}}}});
}

}  // namespace odenet
