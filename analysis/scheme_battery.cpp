#include "analysis/scheme_battery.h"

#include <fmt/format.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "analysis/gradient_check.h"
#include "analysis/scheme_verification.h"
#include "architectures/fields.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "core/error_text.h"
#include "discretizations/scheme.h"

namespace odenet {
namespace {

using Result = BatteryCheck::Result;

// to_json → build → to_json gives the same object, and the rebuilt scheme the same metadata.
BatteryCheck round_trip(const nlohmann::json& example) {
  const auto first = build_scheme(scheme_registry(), example, "example", "");
  const nlohmann::json written = first->to_json();
  const auto second = build_scheme(scheme_registry(), written, "to_json", "");
  if (second->to_json() != written)
    return {"", "round trip", Result::kFailed, fmt::format("{} read back as {}", written.dump(), second->to_json().dump())};
  if (to_json(second->info()) != to_json(first->info()))
    return {"", "round trip", Result::kFailed, "the scheme read back from to_json() reports other metadata (info())"};
  return {"", "round trip", Result::kPassed, "to_json() " + written.dump() + " builds the same scheme"};
}

// The network step on basic fields of 4 channels (2 per half when partitioned), from a state that
// holds the history − 1 past states and f values the step contract promises.
BatteryCheck gradient(const Scheme& scheme) {
  const SchemeInfo info = scheme.info();
  constexpr int64_t kChannels = 4;
  torch::manual_seed(0);
  FieldFactory fields = [&](FieldPart part) -> std::shared_ptr<FieldImpl> {
    const int64_t c = part == FieldPart::kWhole || part == FieldPart::kDiffusion ? kChannels : kChannels / 2;
    return std::make_shared<BasicFieldImpl>(BasicFieldOptions(c, c).activation(Activation::kPre));
  };
  auto step = scheme.make_step(fields, StepContext{1.0, 0, 1, kChannels});
  auto u = torch::randn({2, kChannels, 3, 3}, torch::kFloat64);
  State state{u, {}, {}};
  for (int j = 1; j < std::max(2, info.history); ++j) {
    state.history.push_back(torch::randn_like(u));
    state.past_f.push_back(torch::randn_like(u));
  }
  const GradientCheck check = check_step_gradients(*step, state);
  const std::string detail = fmt::format("input error {:.1e}, parameter error {:.1e} (float64 central differences)",
                                         check.input_error, check.parameter_error);
  if (!check.parameter_checked) return {"", "gradient", Result::kFailed, "no parameter of the step receives a gradient"};
  const bool ok = check.input_error < 1e-6 && check.parameter_error < 1e-6;
  return {"", "gradient", ok ? Result::kPassed : Result::kFailed, detail + (ok ? "" : ", more than 1e-6")};
}

// The observed order on an analytic problem against the declared one (an h-step method started by
// forward Euler shows min(order, 2) when h ≥ 3: the step contract in scheme.h).
BatteryCheck order(const Scheme& scheme) {
  const SchemeInfo info = scheme.info();
  if (!info.not_an_integrator.empty()) return {"", "order", Result::kSkipped, "not an integrator: " + info.not_an_integrator};
  if (info.stochastic)
    return {"", "order", Result::kSkipped, "stochastic: its weak order is measured by verify-scheme --problem ou"};
  OdeProblem problem = make_problem(natural_problem(info, OdeProblemKind::kRotation));
  const Verification v = verify_scheme(scheme, scheme.to_json().dump(), problem, {200, 400, 800, 1600}, problem.t1);
  const double expected = info.history >= 3 ? std::min(info.order, 2) : info.order;
  const bool ok = std::abs(v.observed_order - expected) <= 0.3;
  return {"", "order", ok ? Result::kPassed : Result::kFailed,
          fmt::format("observed {:.2f} on '{}', declared {}{} (tolerance 0.3)", v.observed_order, problem.name, info.order,
                      expected != info.order ? fmt::format(", expected {} after forward Euler starting steps", expected) : "")};
}

// The smallest network of each layout that takes the scheme.
std::vector<std::pair<ModelOptions, int64_t>> tiny_networks(const std::shared_ptr<const Scheme>& scheme, bool partitioned) {
  std::vector<std::pair<ModelOptions, int64_t>> out;  // options, input side
  ModelOptions cifar;
  cifar.layout = "cifar_resnet", cifar.block = "basic", cifar.activation = Activation::kPre;
  cifar.depth = partitioned ? 14 : 8, cifar.width = 8, cifar.shortcut = Shortcut::kProjection;
  out.emplace_back(cifar, 16);
  ModelOptions imagenet;
  imagenet.layout = "imagenet_resnet", imagenet.block = "bottleneck", imagenet.depth = 50, imagenet.width = 4;
  imagenet.shortcut = Shortcut::kProjection;
  out.emplace_back(imagenet, 32);
  ModelOptions fractal;
  fractal.layout = "fractalnet", fractal.block = "conv", fractal.stage_widths = {8, 8};
  out.emplace_back(fractal, 16);
  for (auto& [options, side] : out) options.scheme = scheme;
  return out;
}

// Three SGD steps of a tiny network on random images: finite losses, parameters that move.
BatteryCheck training(const Scheme& scheme, const ModelOptions& options, int64_t side) {
  const std::string check = "training " + options.layout;
  torch::manual_seed(0);
  std::shared_ptr<ClassifierImpl> model;
  try {
    model = build_model(options, scheme, 3, 4);
  } catch (const ConfigError& e) {  // a layout that cannot take this scheme says why
    return {"", check, Result::kSkipped, e.what()};
  }
  model->train();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  const auto x = torch::randn({4, 3, side, side});
  const auto y = torch::tensor({0, 1, 2, 3}, torch::kLong);
  const auto before = torch::cat([&] {
    std::vector<torch::Tensor> flat;
    for (const auto& p : model->parameters()) flat.push_back(p.detach().reshape(-1).clone());
    return flat;
  }());
  std::vector<double> losses;
  for (int step = 0; step < 3; ++step) {
    sgd.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(x), y);
    loss.backward();
    sgd.step();
    losses.push_back(loss.item<double>());
    if (!std::isfinite(losses.back()))
      return {"", check, Result::kFailed, fmt::format("loss {} at SGD step {}", losses.back(), step + 1)};
  }
  std::vector<torch::Tensor> flat;
  for (const auto& p : model->parameters()) flat.push_back(p.detach().reshape(-1));
  const double moved = (torch::cat(flat) - before).abs().max().item<double>();
  if (!(moved > 0)) return {"", check, Result::kFailed, "three SGD steps left every parameter unchanged"};
  return {"", check, Result::kPassed,
          fmt::format("{} params, losses {:.3f} {:.3f} {:.3f}", count_parameters(*model), losses[0], losses[1], losses[2])};
}

// Runs `check`, turning an exception into a failure.
BatteryCheck guarded(const std::string& name, const std::function<BatteryCheck()>& check) {
  try {
    return check();
  } catch (const c10::Error& e) {
    return {"", name, Result::kFailed, first_line(e)};
  } catch (const std::exception& e) {
    return {"", name, Result::kFailed, e.what()};
  }
}

}  // namespace

std::vector<BatteryCheck> run_scheme_battery(const std::string& name) {
  const SchemeEntry& entry = scheme_registry().get(name);
  std::vector<BatteryCheck> checks;
  if (entry.examples.empty())
    checks.push_back({"", "examples", Result::kFailed, "the entry has no examples (SchemeEntry::examples) to test"});
  for (const auto& example : entry.examples) {
    const std::string label = example.dump();
    std::vector<BatteryCheck> of_example{guarded("round trip", [&] { return round_trip(example); })};
    std::shared_ptr<Scheme> scheme;
    try {
      scheme = build_scheme(scheme_registry(), example, "example", "");
    } catch (const Error& e) {
      of_example.push_back({"", "build", Result::kFailed, e.what()});
    }
    if (scheme) {
      of_example.push_back(guarded("gradient", [&] { return gradient(*scheme); }));
      of_example.push_back(guarded("order", [&] { return order(*scheme); }));
      for (const auto& [options, side] : tiny_networks(scheme, scheme->info().partitioned))
        of_example.push_back(guarded("training " + options.layout, [&] { return training(*scheme, options, side); }));
    }
    for (auto& c : of_example) c.example = label, checks.push_back(c);
  }
  return checks;
}

std::string format_battery(const std::string& name, const std::vector<BatteryCheck>& checks) {
  std::string out;
  int failed = 0, skipped = 0;
  for (const auto& c : checks) {
    const char* word = c.result == Result::kPassed ? "PASS" : c.result == Result::kFailed ? "FAIL" : "SKIP";
    failed += c.result == Result::kFailed, skipped += c.result == Result::kSkipped;
    out += fmt::format("{}  {:<26} {}  {}\n", word, c.check, c.example, c.detail);
  }
  return out + fmt::format("test-scheme {}: {} check(s), {} passed, {} failed, {} skipped\n", name, checks.size(),
                           checks.size() - static_cast<size_t>(failed + skipped), failed, skipped);
}

}  // namespace odenet
