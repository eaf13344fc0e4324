#include "architectures/depth_refinement.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/module.h>

#include <cmath>
#include <map>

#include "core/error.h"

namespace odenet {
namespace {

// θ = (1 − w) a + w b for every parameter and buffer of `target`, by name (integer buffers such as
// BatchNorm's batch count take a's value).
void blend_into(torch::nn::Module& target, const torch::nn::Module& a, const torch::nn::Module& b, double w,
                std::vector<ParameterBlend>* blends) {
  torch::NoGradGuard no_grad;
  const auto a_params = a.named_parameters(), b_params = b.named_parameters();
  const auto a_buffers = a.named_buffers(), b_buffers = b.named_buffers();
  auto blend = [&](const std::string& name, torch::Tensor& out, const torch::Tensor* x, const torch::Tensor* y) {
    if (!x || !y || x->sizes() != out.sizes() || y->sizes() != out.sizes())
      throw Error(fmt::format("depth refinement: '{}' of a new field has no counterpart of its shape in the trained steps", name));
    if (!out.is_floating_point() || w == 0.0)
      out.copy_(*x);
    else
      out.copy_(*x * (1.0 - w) + *y * w);
  };
  for (auto& p : target.named_parameters()) {
    blend(p.key(), p.value(), a_params.find(p.key()), b_params.find(p.key()));
    if (blends) blends->push_back({p.value(), *a_params.find(p.key()), *b_params.find(p.key()), w});
  }
  for (auto& p : target.named_buffers()) blend(p.key(), p.value(), a_buffers.find(p.key()), b_buffers.find(p.key()));
}

// The value at depth t of a step's own coefficient `name` (a learned k_n, a fixed multistep
// weight), interpolated by depth_source among the trained steps that hold it; empty when none
// does. `source` receives the trained tensors it was made from and the weight.
torch::Tensor coefficient_at(const std::string& name, double t, const std::vector<const StepImpl*>& steps,
                             DepthInterpolation interpolation, ParameterBlend& source) {
  std::vector<double> nodes;
  std::vector<torch::Tensor> values;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto params = steps[i]->named_parameters(/*recurse=*/false);
    const auto buffers = steps[i]->named_buffers(/*recurse=*/false);
    const torch::Tensor* value = params.find(name);
    if (!value) value = buffers.find(name);
    if (value) nodes.push_back(static_cast<double>(i) + 0.5), values.push_back(*value);
  }
  if (nodes.empty()) return {};
  const DepthSource at = depth_source(t, nodes, interpolation);
  const torch::Tensor& a = values[static_cast<size_t>(at.first)];
  const torch::Tensor& b = values[static_cast<size_t>(at.second)];
  source = {torch::Tensor(), a, b, at.weight};
  return at.weight == 0.0 ? a : a * (1.0 - at.weight) + b * at.weight;
}

}  // namespace

const EnumNames<DepthInterpolation>& depth_interpolation_names() {
  static const EnumNames<DepthInterpolation> names{{"piecewise", DepthInterpolation::kPiecewise},
                                                   {"linear", DepthInterpolation::kLinear}};
  return names;
}

DepthInterpolation depth_interpolation_named(const std::string& name, const std::string& what) {
  for (const auto& [spelling, value] : depth_interpolation_names())
    if (spelling == name) return value;
  throw ConfigError(what + ": '" + name + "' is not one of: piecewise, linear");
}

RefineSchedule read_refine_schedule(const JsonReader& r, long epochs) {
  RefineSchedule s;
  if (epochs < 2) r.fail("at_epochs", fmt::format("a run of {} epoch(s) has no epoch boundary to refine at", epochs));
  if (!r.has("at_epochs")) r.fail("at_epochs", "required key is missing");
  s.at_epochs = r.integers("at_epochs", 1, epochs - 1, {});
  if (s.at_epochs.empty()) r.fail("at_epochs", "give at least one epoch to refine after");
  for (size_t i = 1; i < s.at_epochs.size(); ++i)
    if (s.at_epochs[i] <= s.at_epochs[i - 1]) r.fail(fmt::format("at_epochs/{}", i), "epochs must increase");
  s.factor = r.integer("factor", 2, 16, 2);
  s.interpolation = enum_value(r, "interpolation", depth_interpolation_names(), DepthInterpolation::kLinear);
  r.finish();
  return s;
}

nlohmann::json to_json(const RefineSchedule& s) {
  return {{"at_epochs", s.at_epochs}, {"factor", s.factor}, {"interpolation", enum_name(depth_interpolation_names(), s.interpolation)}};
}

DepthSource depth_source(double t, const std::vector<double>& nodes, DepthInterpolation interpolation) {
  const auto last = static_cast<int64_t>(nodes.size()) - 1;
  if (interpolation == DepthInterpolation::kPiecewise) {
    int64_t nearest = 0;
    for (int64_t k = 0; k <= last; ++k) {
      if (nodes[k] - 0.5 <= t && t < nodes[k] + 0.5) return {k, k, 0.0};
      if (std::abs(nodes[k] - t) < std::abs(nodes[nearest] - t)) nearest = k;
    }
    return {nearest, nearest, 0.0};
  }
  if (t <= nodes.front()) return {0, 0, 0.0};
  if (t >= nodes.back()) return {last, last, 0.0};
  for (int64_t k = 0; k < last; ++k)
    if (t < nodes[k + 1]) {
      const double w = (t - nodes[k]) / (nodes[k + 1] - nodes[k]);
      return w == 0.0 ? DepthSource{k, k, 0.0} : DepthSource{k, k + 1, w};
    }
  return {last, last, 0.0};
}

std::vector<std::shared_ptr<FieldImpl>> step_fields(const StepImpl& step) {
  std::vector<std::shared_ptr<FieldImpl>> fields;
  for (const auto& child : step.children())
    if (auto field = std::dynamic_pointer_cast<FieldImpl>(child)) fields.push_back(field);
  return fields;
}

std::shared_ptr<StageImpl> refine_stage(const StageImpl& trained, const Scheme& scheme, const RefineOptions& o,
                                        int& index, int count, int stage_number, std::vector<ParameterBlend>* blends) {
  if (o.factor < 1) throw ConfigError(fmt::format("refinement factor {}: must be at least 1", o.factor));
  const StageShape& shape = trained.shape();
  if (shape.relu_inside_from >= 0 && !scheme.info().absorbs_post_activation)
    throw ConfigError(fmt::format("stage {} carries its ReLUs inside its fields, ReLU(u + g(u)) − u (a post-activation layout "
                                  "under momentum): refine it under a scheme that does too (momentum), not '{}'",
                                  stage_number, scheme.info().name));
  const auto& all = trained.steps();
  const auto openings = static_cast<size_t>(shape.openings);
  std::vector<std::shared_ptr<StepImpl>> steps(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(openings, all.size())));
  index += static_cast<int>(steps.size());
  std::vector<const StepImpl*> trained_steps;  // the K steps of the ODE part
  for (size_t i = openings; i < all.size(); ++i) trained_steps.push_back(all[i].get());
  const auto K = static_cast<int64_t>(trained_steps.size());
  if (K == 0) return std::make_shared<StageImpl>(steps, shape);

  const SchemeInfo info = scheme.info();
  const std::string where = fmt::format("stage {}", stage_number);
  const auto first_fields = step_fields(*trained_steps.front());
  for (const auto* step : trained_steps)
    if (step_fields(*step).size() != first_fields.size())
      throw ConfigError(fmt::format("{}: its steps hold different numbers of fields; depth refinement needs one kind of step",
                                    where));
  if (info.partitioned && first_fields.size() == 1)
    throw ConfigError(fmt::format("scheme '{}' splits the state into halves (X' = F(Y), Y' = G(X)); the trained steps of {} "
                                  "hold one field of the whole state", info.name, where));
  const auto trained_parameters = trained_steps.front()->parameters();
  if (trained_parameters.empty()) throw ConfigError(fmt::format("{}: its steps hold no parameters to refine", where));
  const torch::Tensor parameter = trained_parameters.front();
  const auto dtype = parameter.scalar_type();
  const auto device = parameter.device();

  std::vector<double> nodes;  // trained step i's parameters sit at depth i + ½
  for (int64_t i = 0; i < K; ++i) nodes.push_back(static_cast<double>(i) + 0.5);
  const double dt = o.step_size / static_cast<double>(o.factor);
  const int64_t refined = o.factor * K;
  // A multistep scheme starts with forward Euler steps; after an opening of the same step size
  // (Δt = 1) the opening's P(u) is the history, as in build_stage.
  const int64_t starters = openings > 0 && dt == 1.0
                               ? std::max<int64_t>(0, starting_euler_steps(info.history, static_cast<int64_t>(openings) + refined) -
                                                          static_cast<int64_t>(openings))
                               : starting_euler_steps(info.history, refined);
  for (int64_t j = 0; j < refined; ++j) {
    const double t = (static_cast<double>(j) + 0.5) * dt;  // the step's midpoint in depth
    const DepthSource source = depth_source(t, nodes, o.interpolation);
    const auto a = step_fields(*trained_steps[source.first]), b = step_fields(*trained_steps[source.second]);
    std::map<size_t, std::shared_ptr<FieldImpl>> made;  // per trained field: the field at t
    size_t calls = 0;
    FieldFactory field = [&](FieldPart part) -> std::shared_ptr<FieldImpl> {
      const size_t k = a.size() == 1 ? 0 : calls;  // one trained field: the ODE's field, however often asked
      ++calls;
      if (k >= a.size())
        throw ConfigError(fmt::format("scheme '{}' evaluates more distinct fields per step than the {} the trained steps of {} hold",
                                      info.name, a.size(), where));
      if (made.count(k)) return made[k];
      if (source.weight == 0.0 && !o.independent) return made[k] = a[k];
      if (!shape.make_field)
        throw ConfigError(fmt::format("{} was assembled without a field maker: linear interpolation needs one", where));
      const int64_t channels = part == FieldPart::kWhole ? shape.channels : shape.channels / 2;
      auto fresh = shape.make_field(channels, channels, 1);
      fresh->to(device, dtype);
      blend_into(*fresh, *a[k], *b[k], source.weight, blends);
      return made[k] = fresh;
    };
    std::shared_ptr<StepImpl> step;
    if (j < starters) {
      step = make_starting_step(field(FieldPart::kWhole), dt, info.history);
      ++index;
    } else {
      step = scheme.make_step(field, StepContext{dt, index++, count, shape.channels, shape.relu_inside_from >= 0});
      if (a.size() > 1 && calls != a.size())
        throw ConfigError(fmt::format("scheme '{}' evaluates {} distinct field(s) per step; the trained steps of {} hold {}",
                                      info.name, calls, where, a.size()));
    }
    step->to(device, dtype);
    // The step's own coefficients (k_n) at depth t, from the trained steps that hold them.
    torch::NoGradGuard no_grad;
    auto own = [&](const std::string& name, torch::Tensor& value, bool learned) {
      ParameterBlend source;
      torch::Tensor at = coefficient_at(name, t, trained_steps, o.interpolation, source);
      if (!at.defined()) {
        if (learned && !o.initialise_missing)
          throw ConfigError(fmt::format("scheme '{}' learns '{}' per step, which the trained steps of {} do not hold: fix it "
                                        "in the scheme object (e.g. {{\"name\": \"linear_multistep\", \"k\": 0.5}})",
                                        info.name, name, where));
        return;
      }
      if (at.sizes() != value.sizes())
        throw ConfigError(fmt::format("scheme '{}': '{}' has shape {} per step, the trained steps of {} hold shape {}", info.name,
                                      name, fmt::join(value.sizes(), "x"), where, fmt::join(at.sizes(), "x")));
      value.copy_(at);
      if (learned && blends) blends->push_back({value, source.first, source.second, source.weight});
    };
    for (auto& p : step->named_parameters(/*recurse=*/false)) own(p.key(), p.value(), true);
    for (auto& b : step->named_buffers(/*recurse=*/false)) own(b.key(), b.value(), false);
    steps.push_back(step);
  }
  return std::make_shared<StageImpl>(std::move(steps), shape);
}

void refine_network(StagedNetworkImpl& network, const Scheme& scheme, const RefineOptions& options,
                    std::vector<ParameterBlend>* blends) {
  int count = 0;
  for (const auto& stage : network.stages())
    count += static_cast<int>(stage->shape().openings +
                              options.factor * (static_cast<int64_t>(stage->steps().size()) - stage->shape().openings));
  int index = 0;
  const bool training = network.is_training();
  for (size_t s = 0; s < network.stages().size(); ++s) {
    auto stage = refine_stage(*network.stages()[s], scheme, options, index, count, static_cast<int>(s + 1), blends);
    stage->train(training);
    network.replace_stage(s, stage);
  }
}

std::vector<int64_t> stage_step_counts(const StagedNetworkImpl& network) {
  std::vector<int64_t> counts;
  for (const auto& stage : network.stages()) counts.push_back(static_cast<int64_t>(stage->steps().size()));
  return counts;
}

}  // namespace odenet
