#include "experiments/memory_estimate.h"

#include <fmt/format.h>
#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "architectures/presets.h"
#include "core/allocation_meter.h"
#include "core/error.h"
#include "data/dataset_format.h"
#include "training/precision.h"
#include "training/trainer.h"

namespace odenet {
namespace {

long per_process(long batch, int processes) { return (batch + processes - 1) / processes; }

// The meter's peak above its live bytes while `pass` runs.
template <class F>
int64_t peak_during(AllocationMeter& meter, F pass) {
  meter.reset_peak();
  const int64_t before = meter.live();
  pass();
  return meter.peak() - before;
}

// A + B·batch through the peaks at batches `small` and 2·small (B ≥ 0), at `batch`.
int64_t extrapolate(int64_t at_small, int64_t at_double, long small, long batch) {
  const int64_t per_image = std::max<int64_t>(0, (at_double - at_small) / small);
  return std::max<int64_t>(0, at_small - per_image * small) + per_image * batch;
}

// The model's parameter bytes with every width (width, stage_widths, bottleneck_width) scaled
// together, w_i = base_i · k: a quadratic in k where channel counts follow the widths (weights
// ∝ k², norms and biases ∝ k, the rest constant). Fitted through small models at three k, checked
// at a fourth, evaluated at the options' own k; nullopt where the check misses or a small model
// cannot be built (so no prediction is made), or the model is small anyway.
std::optional<double> parameter_bytes_by_width(const RunSpec& run, const RunInput& input) {
  const ModelOptions& m = run.model;
  long k = m.width;
  for (long w : m.stage_widths) k = std::gcd(k, w);
  if (m.bottleneck_width > 0) k = std::gcd(k, m.bottleneck_width);
  const long unit = std::max<long>(1, m.cardinality);
  if (k <= 4 * unit) return std::nullopt;
  auto bytes_at = [&](long scale) {
    ModelOptions small = m;
    small.width = m.width / k * scale;
    for (auto& w : small.stage_widths) w = w / k * scale;
    if (m.bottleneck_width > 0) small.bottleneck_width = m.bottleneck_width / k * scale;
    auto model = build_model(small, *m.scheme, input.shape[0], input.classes);
    return static_cast<double>(model_bytes(*model));
  };
  try {
    const double x1 = unit, x2 = 2.0 * unit, x3 = 3.0 * unit;
    const double y1 = bytes_at(unit), y2 = bytes_at(2 * unit), y3 = bytes_at(3 * unit);
    auto quadratic = [&](double x) {  // Lagrange through the three points
      return y1 * (x - x2) * (x - x3) / ((x1 - x2) * (x1 - x3)) + y2 * (x - x1) * (x - x3) / ((x2 - x1) * (x2 - x3)) +
             y3 * (x - x1) * (x - x2) / ((x3 - x1) * (x3 - x2));
    };
    if (std::abs(quadratic(4.0 * unit) - bytes_at(4 * unit)) > 0.5) return std::nullopt;
    return quadratic(static_cast<double>(k));
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

int64_t model_bytes(const torch::nn::Module& model) {
  int64_t bytes = 0;
  for (const auto& p : model.parameters()) bytes += p.numel() * p.element_size();
  for (const auto& b : model.buffers()) bytes += b.numel() * b.element_size();
  return bytes;
}

MemoryLimit memory_limit_for(const std::optional<int64_t>& given, bool on_cpu) {
  if (given) return {*given, "--memory-limit"};
  return on_cpu ? MemoryLimit{available_memory_bytes(), "the memory available here"} : MemoryLimit{};
}

std::string memory_key(const RunSpec& run) {
  nlohmann::json key = run.config;
  key.erase("seed");
  return key.dump();
}

int64_t MemoryEstimate::total() const {
  return parameters + gradients + optimizer_state + std::max(activations, evaluation);
}

std::string MemoryEstimate::describe() const {
  std::string text = fmt::format("{} (parameters {}, gradients {}", format_bytes(total()), format_bytes(parameters),
                                 format_bytes(gradients));
  if (optimizer_state > 0) text += fmt::format(", momentum {}", format_bytes(optimizer_state));
  text += fmt::format(", activations at batch {} {}", batch, format_bytes(activations));
  if (evaluation > activations) text += fmt::format(", evaluation at batch {} {}", eval_batch, format_bytes(evaluation));
  return text + ")";
}

RunInput declared_input(const RunSpec& run) {
  const DatasetFormat& format = dataset_format_registry().get(run.dataset.format);
  const int64_t channels = run.dataset.channels > 0 ? run.dataset.channels : (format.channels > 0 ? format.channels : 3);
  const int64_t side = native_input_size(run.model);
  RunInput input;
  input.shape = {channels, format.height > 0 ? format.height : side, format.width > 0 ? format.width : side};
  if (format.image_size)
    if (const auto size = format.image_size(run.dataset)) input.shape[1] = (*size)[0], input.shape[2] = (*size)[1];
  input.classes = run.dataset.classes > 0 ? run.dataset.classes : (format.classes > 0 ? format.classes : native_classes(run.model));
  return input;
}

MemoryEstimate estimate_run_memory(const RunSpec& run, const RunInput& input, int shards, int64_t limit,
                                   const std::string& where) {
  MemoryEstimate e;
  e.batch = per_process(run.train.batch_size, shards);
  e.eval_batch = per_process(run.train.eval_batch_size, shards);
  // A model far past the limit is refused by its extrapolated size, before anything big is built.
  if (limit > 0)
    if (const auto predicted = parameter_bytes_by_width(run, input); predicted && *predicted > limit / 2.0)
      throw ConfigError(fmt::format("{}: run {}: /model: about {} of parameters, and as much again for their gradients{}; "
                                    "{} is {} (a smaller width or depth fits)",
                                    run.source, run.run_id, format_bytes(static_cast<int64_t>(*predicted)),
                                    run.train.optimizer.momentum > 0 ? " and for momentum" : "", where, format_bytes(limit)));
  AllocationMeter meter(limit > 0 ? limit / 2 : 0);
  std::shared_ptr<ClassifierImpl> model;
  try {
    model = build_model(run.model, *run.model.scheme, input.shape[0], input.classes);
  } catch (const MemoryLimitExceeded& refused) {
    throw ConfigError(fmt::format("{}: run {}: /model: its parameters alone need more than {}, half of {} ({}), with "
                                  "their gradients; a smaller width or depth fits",
                                  run.source, run.run_id, format_bytes(refused.limit()), format_bytes(limit), where));
  }
  e.parameters = meter.live();
  for (const auto& p : model->parameters())
    if (p.requires_grad()) e.gradients += p.numel() * p.element_size();
  e.optimizer_state = run.train.optimizer.momentum > 0 ? e.gradients : 0;
  // Precision as the run will train here; the step as the trainer takes it (autocast, cross-entropy, backward).
  const c10::Device cpu(c10::kCPU);
  const Precision precision = resolve_precision(run.precision, cpu);
  const auto memory_format = run.train.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  if (run.train.channels_last) to_channels_last(*model);
  auto images = [&](long batch) {
    return torch::randn({batch, input.shape[0], input.shape[1], input.shape[2]}).contiguous(memory_format);
  };
  auto train_step = [&](long batch) {
    const auto labels = torch::randint(input.classes, {batch}, torch::kLong);
    torch::Tensor loss;
    {
      AutocastGuard autocast(precision, cpu);
      loss = torch::nn::functional::cross_entropy(model->forward(images(batch)), labels);
    }
    loss.backward();
  };
  auto evaluate = [&](long batch) {
    torch::NoGradGuard no_grad;
    AutocastGuard autocast(precision, cpu);
    model->forward(images(batch));
  };
  try {
    // Training at batches 2 and 4: BatchNorm in training mode refuses one value per channel (a
    // batch of one whose feature maps reach 1 × 1).
    model->train();
    train_step(2);  // gradients are allocated by the first backward; they stay
    const int64_t train_2 = peak_during(meter, [&] { train_step(2); });
    const int64_t train_4 = peak_during(meter, [&] { train_step(4); });
    model->eval();
    const int64_t eval_1 = peak_during(meter, [&] { evaluate(1); });
    const int64_t eval_2 = peak_during(meter, [&] { evaluate(2); });
    e.activations = extrapolate(train_2, train_4, 2, e.batch);
    e.evaluation = extrapolate(eval_1, eval_2, 1, e.eval_batch);
  } catch (const MemoryLimitExceeded& refused) {
    throw ConfigError(fmt::format("{}: run {}: a training step at batch 4 already needs more than {}, half of {} ({})",
                                  run.source, run.run_id, format_bytes(refused.limit()), format_bytes(limit), where));
  }
  return e;
}

MemoryEstimate check_run_memory(const RunSpec& run, const RunInput& input, int shards, int copies, int64_t limit,
                                const std::string& where) {
  const MemoryEstimate e = estimate_run_memory(run, input, shards, limit, where);
  const int64_t needed = e.total() * copies;
  if (limit > 0 && needed > limit) {
    const std::string need = copies > 1 ? fmt::format("{} ranks × {} = {}", copies, e.describe(), format_bytes(needed))
                                        : e.describe();
    throw ConfigError(fmt::format("{}: run {}: needs about {}; {} is {} (a smaller batch, width or depth fits)", run.source,
                                  run.run_id, need, where, format_bytes(limit)));
  }
  return e;
}

}  // namespace odenet
