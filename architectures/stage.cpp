#include "architectures/stage.h"

#include <fmt/format.h>

#include "core/error.h"

namespace odenet {

StageImpl::StageImpl(std::vector<std::shared_ptr<StepImpl>> steps, StageShape shape) : shape_(std::move(shape)) {
  for (size_t i = 0; i < steps.size(); ++i)
    steps_.push_back(register_module("block" + std::to_string(i + 1), std::move(steps[i])));
  // A ReLU between steps is not invertible: runs start after the last step followed by one.
  size_t first = 0;
  while (first < steps_.size() && shape_.relu_after(first)) ++first;
  for (size_t i = first; i < steps_.size();) {
    StepImpl::StageRunner runner = steps_[i]->stage_runner();
    std::vector<StepImpl*> run;
    size_t j = i;
    if (!runner && steps_[i]->can_lead_run() && i + 1 < steps_.size() && steps_[i + 1]->stage_runner() &&
        steps_[i + 1]->run_takes_lead()) {
      runner = steps_[i + 1]->stage_runner();
      run.push_back(steps_[j++].get());
    }
    for (; runner && j < steps_.size() && steps_[j]->stage_runner() == runner; ++j) run.push_back(steps_[j].get());
    if (!run.empty()) runs_[i] = {runner, std::move(run)};
    i = std::max(j, i + 1);
  }
}

State StageImpl::forward(const State& state) {
  State s = state;
  const bool recompute = is_training() && torch::GradMode::is_enabled();
  for (size_t i = 0; i < steps_.size();) {
    auto run = recompute ? runs_.find(i) : runs_.end();
    if (run != runs_.end()) {
      const auto& [runner, steps] = run->second;
      s = runner(steps, s);
      i += steps.size();
      continue;
    }
    s = steps_[i]->forward(s);
    if (shape_.relu_after(i)) s.u = torch::relu(s.u);
    ++i;
  }
  return s;
}

std::shared_ptr<StageImpl> build_stage(const StagePlan& p, const Scheme& scheme, const StageFieldMaker& make_field,
                                       int& index, int count) {
  const SchemeInfo info = scheme.info();
  // Partitioned schemes (X' = F(Y), Y' = G(X)) ask for fields on half the channels.
  auto half = [&](int64_t channels, const char* where) {
    if (channels % 2 != 0)
      throw ConfigError(fmt::format("scheme '{}' splits the state into two halves, but {} of stage {} has {} channels (odd)",
                                    info.name, where, p.number, channels));
    return channels / 2;
  };
  FieldFactory field = [&](FieldPart part) -> std::shared_ptr<FieldImpl> {
    if (part == FieldPart::kWhole) return make_field(p.out_channels, p.out_channels, 1);
    return make_field(half(p.out_channels, "the output"), half(p.out_channels, "the output"), 1);
  };
  std::vector<std::shared_ptr<StepImpl>> steps;
  if (p.make_projection) {  // in → out with the stride; a partitioned F reads the input's half, G the output's
    FieldFactory transition_field = [&](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kWhole) return make_field(p.in_channels, p.out_channels, p.stride);
      if (part == FieldPart::kFirst) return make_field(half(p.in_channels, "the input"), half(p.out_channels, "the output"), p.stride);
      return make_field(half(p.out_channels, "the output"), half(p.out_channels, "the output"), 1);
    };
    FieldFactory projection = [&](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kWhole) return p.make_projection(p.in_channels, p.out_channels, p.stride);
      return p.make_projection(half(p.in_channels, "the input"), half(p.out_channels, "the output"), p.stride);
    };
    steps.push_back(scheme.make_transition_step(transition_field, projection, StepContext{1.0, index, count, p.out_channels}));
  }
  const int64_t starters = starting_euler_steps(info.history, p.steps);
  while (static_cast<int64_t>(steps.size()) < starters)
    steps.push_back(make_starting_step(make_field(p.out_channels, p.out_channels, 1), 1.0, info.history));
  index += static_cast<int>(steps.size());
  const bool relu_in_fields = p.relu_after_step && info.absorbs_post_activation;
  StageShape shape{p.make_projection ? 1 : 0, p.relu_after_step, p.out_channels, make_field};
  if (relu_in_fields) shape.relu_inside_from = static_cast<int64_t>(steps.size());
  while (static_cast<int64_t>(steps.size()) < p.steps)
    steps.push_back(scheme.make_step(field, StepContext{1.0, index++, count, p.out_channels, relu_in_fields}));
  return std::make_shared<StageImpl>(std::move(steps), shape);
}

}  // namespace odenet
