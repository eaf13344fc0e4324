#include "discretizations/scheme.h"

#include "core/error.h"
#include "core/suggest.h"
#include "discretizations/forward_euler.h"
#include "discretizations/fractal.h"
#include "discretizations/gaussian_noise.h"
#include "discretizations/linear_multistep.h"
#include "discretizations/older_spellings.h"
#include "discretizations/polynet.h"
#include "discretizations/leapfrog_second_order.h"
#include "discretizations/momentum.h"
#include "discretizations/reversible.h"
#include "discretizations/runge_kutta.h"
#include "discretizations/shake_shake.h"
#include "discretizations/stochastic_depth.h"
#include "discretizations/stochastic_lm.h"

namespace odenet {

std::vector<std::pair<std::string, double>> learned_k_means(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false))
    if (auto* step = dynamic_cast<const StepImpl*>(item.value().get()))
      if (torch::Tensor k = step->learned_k(); k.defined()) out.emplace_back(item.key(), k.detach().mean().item<double>());
  return out;
}

std::vector<std::pair<std::string, std::vector<double>>> learned_k_channels(const torch::nn::Module& model) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false))
    if (auto* step = dynamic_cast<const StepImpl*>(item.value().get()))
      if (torch::Tensor k = step->learned_k(); k.defined() && k.numel() > 1) {
        const auto values = k.detach().to(torch::kCPU, torch::kFloat64).contiguous();
        out.emplace_back(item.key(), std::vector<double>(values.data_ptr<double>(), values.data_ptr<double>() + values.numel()));
      }
  return out;
}

State StepImpl::inverse(const State&) {
  throw Error(name() + " is not reversible: it has no inverse");
}

std::shared_ptr<StepImpl> Scheme::make_transition_step(const FieldFactory& make_field,
                                                       const FieldFactory& make_projection,
                                                       const StepContext& context) const {
  return std::make_shared<ForwardEulerStepImpl>(make_field(FieldPart::kWhole), context.dt,
                                                make_projection(FieldPart::kWhole));
}

SchemeInfo euler_maruyama_info(std::string name, std::string update, std::string description) {
  SchemeInfo i;
  i.name = std::move(name);
  i.update = std::move(update);
  i.description = std::move(description);
  i.stochastic = true;
  i.strong_order = 0.5;
  i.weak_order = 1.0;
  return i;
}

const char* const kMultiplicativeNoise =
    "its noise is proportional to f (multiplicative); the 'ou' problem has additive noise";

nlohmann::json to_json(const SchemeInfo& i) {
  nlohmann::json j{{"name", i.name},
                   {"update", i.update},
                   {"description", i.description},
                   {"order", i.order},
                   {"evaluations_per_step", i.evaluations_per_step},
                   {"history", i.history},
                   {"reversible", i.reversible},
                   {"stochastic", i.stochastic},
                   {"partitioned", i.partitioned}};
  if (!i.not_an_integrator.empty()) j["not_an_integrator"] = i.not_an_integrator;
  if (i.second_order) j["second_order"] = true;
  if (i.stochastic) {
    j["strong_order"] = i.strong_order;
    j["weak_order"] = i.weak_order;
  }
  return j;
}

std::shared_ptr<Scheme> build_scheme(const SchemeRegistry& registry, const nlohmann::json& spec,
                                     const std::string& file, const std::string& path) {
  nlohmann::json object = spec.is_string() ? nlohmann::json{{"name", spec}} : spec;
  JsonReader reader(object, file, path);
  std::string name = reader.string("name");
  if (!registry.contains(name))
    reader.fail("name", registry.unknown_name_message(name) +
                            (did_you_mean(name, registry.names()).empty()
                                 ? " (a plugin's scheme? load it with --plugin PATH or ODENET_PLUGINS)"
                                 : ""));
  auto scheme = registry.get(name).build(reader);
  reader.finish();
  return scheme;
}

void register_builtin_schemes(SchemeRegistry& registry) {
#define ODENET_SCHEME_FAMILY(register_family) register_family(registry);
#include "discretizations/builtin_schemes.def"
#undef ODENET_SCHEME_FAMILY
}

SchemeRegistry& scheme_registry() {
  static SchemeRegistry registry = [] {
    SchemeRegistry r("scheme");
    register_builtin_schemes(r);
    return r;
  }();
  return registry;
}

std::shared_ptr<const Scheme> default_scheme() {
  static const std::shared_ptr<const Scheme> scheme = build_scheme(scheme_registry(), "forward_euler", "", "");
  return scheme;
}

std::string scheme_label(const nlohmann::json& spec) {
  nlohmann::json scheme = spec;
  try {
    scheme = build_scheme(scheme_registry(), spec, "config.json", "/model/scheme")->to_json();
  } catch (const Error&) {  // a scheme this build lacks (a plugin's): labelled as written
  }
  std::string label = scheme.value("name", "?");
  nlohmann::json defaults;
  try {
    defaults = build_scheme(scheme_registry(), scheme.value("name", ""), "", "")->to_json();
  } catch (const Error&) {
  }
  for (const auto& [key, value] : scheme.items())
    if (key != "name" && (!defaults.contains(key) || defaults[key] != value))
      label += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  return label;
}

}  // namespace odenet
