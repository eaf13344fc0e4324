#include "training/trainer.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/serialize.h>
#include <ATen/Context.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <mutex>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>

#include "core/atomic_file.h"
#include "core/coefficient_owner.h"
#include "core/error.h"
#include "core/error_text.h"
#include "core/json_reader.h"
#include "core/seeds.h"
#include "core/sync_batch_norm.h"
#include "training/checkpoint_file.h"
#include "training/progress.h"

namespace odenet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string last_component(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

nlohmann::json to_json(const EpochMetrics& m) {
  nlohmann::json j{{"epoch", m.epoch},
          {"lr", json_number(m.lr)},
          {"train_loss", json_number(m.train_loss)},
          {"train_error", json_number(m.train_error)},
          {"test_loss", json_number(m.test_loss)},
          {"test_error", json_number(m.test_error)},
          {"train_seconds", json_number(m.train_seconds)},
          {"epoch_seconds", json_number(m.epoch_seconds)},
          {"images_per_second", json_number(m.images_per_second)}};
  if (m.test_top5_error) j["test_top5_error"] = json_number(*m.test_top5_error);
  if (!m.k.empty()) {
    nlohmann::json k = nlohmann::json::object();
    for (const auto& [step, value] : m.k) k[step] = json_number(value);
    j["k"] = k;
  }
  if (!m.k_channels.empty()) {
    nlohmann::json k = nlohmann::json::object();
    for (const auto& [step, values] : m.k_channels) {
      k[step] = nlohmann::json::array();
      for (double v : values) k[step].push_back(json_number(v));
    }
    j["k_channels"] = k;
  }
  if (!m.steps.empty()) {  // [step, loss, lr] triples: compact
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& r : m.steps) steps.push_back({r.step, json_number(r.loss), json_number(r.lr)});
    j["steps"] = steps;
  }
  return j;
}

EpochMetrics epoch_metrics_from_json(const nlohmann::json& j) {
  EpochMetrics m;
  const auto& epoch = j.at("epoch");  // a whole number from 1 (a float such as 1e45 would not fit a long)
  if (!epoch.is_number_unsigned() || epoch.get<uint64_t>() < 1 || epoch.get<uint64_t>() > (uint64_t(1) << 40))
    throw std::invalid_argument("epoch is not a whole number from 1");
  m.epoch = static_cast<long>(epoch.get<uint64_t>());
  m.lr = number_from_json(j.at("lr"));
  m.train_loss = number_from_json(j.at("train_loss"));
  m.train_error = number_from_json(j.at("train_error"));
  m.test_loss = number_from_json(j.at("test_loss"));
  m.test_error = number_from_json(j.at("test_error"));
  m.train_seconds = number_from_json(j.at("train_seconds"));
  m.epoch_seconds = number_from_json(j.at("epoch_seconds"));
  m.images_per_second = number_from_json(j.at("images_per_second"));
  if (j.contains("test_top5_error")) m.test_top5_error = number_from_json(j.at("test_top5_error"));
  if (j.contains("k"))
    for (const auto& [step, value] : j.at("k").items()) m.k.emplace_back(step, number_from_json(value));
  if (j.contains("k_channels"))
    for (const auto& [step, values] : j.at("k_channels").items()) {
      std::vector<double> v;
      for (const auto& value : values) v.push_back(number_from_json(value));
      m.k_channels.emplace_back(step, v);
    }
  if (j.contains("steps"))
    for (const auto& r : j.at("steps")) {
      if (!r.is_array() || r.size() != 3 || !r[0].is_number_integer()) throw std::invalid_argument("a steps entry is not [step, loss, lr]");
      m.steps.push_back({r[0].get<int64_t>(), number_from_json(r[1]), number_from_json(r[2])});
    }
  return m;
}

void to_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

std::vector<EpochMetrics> read_metrics_file(const std::string& path, long up_to_epoch) {
  std::vector<EpochMetrics> out;
  std::ifstream in(path);
  long line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    try {
      EpochMetrics m = epoch_metrics_from_json(nlohmann::json::parse(line));
      if (m.epoch <= up_to_epoch) out.push_back(m);
    } catch (const std::exception&) {
      throw DataError(fmt::format("{}:{}: malformed metrics line", path, line_no));
    }
  }
  return out;
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> decay_groups(
    const torch::nn::Module& model, const std::vector<DecayExclusion>& excludes) {
  auto excluded = [&](DecayExclusion c) { return std::count(excludes.begin(), excludes.end(), c) > 0; };
  std::set<const void*> bn_params;
  auto is_bn = [](const torch::nn::Module* m) {
    return dynamic_cast<const torch::nn::BatchNorm2dImpl*>(m) || dynamic_cast<const torch::nn::BatchNorm1dImpl*>(m);
  };
  std::vector<const torch::nn::Module*> all{&model};
  for (const auto& m : model.modules(/*include_self=*/false)) all.push_back(m.get());
  std::set<const void*> coefficients;  // learned scheme coefficients, as their modules declare them
  for (const auto* m : all) {
    if (is_bn(m))
      for (const auto& p : m->parameters(/*recurse=*/false)) bn_params.insert(p.unsafeGetTensorImpl());
    if (const auto* owner = dynamic_cast<const CoefficientOwner*>(m))
      for (const auto& p : owner->coefficient_parameters()) coefficients.insert(p.unsafeGetTensorImpl());
  }
  std::vector<torch::Tensor> decayed, plain;
  for (const auto& item : model.named_parameters()) {
    const auto& p = item.value();
    if (!p.requires_grad()) continue;
    bool skip = (excluded(DecayExclusion::kBatchNorm) && bn_params.count(p.unsafeGetTensorImpl())) ||
                (excluded(DecayExclusion::kBias) && last_component(item.key()) == "bias") ||
                (excluded(DecayExclusion::kCoefficients) && coefficients.count(p.unsafeGetTensorImpl()));
    (skip ? plain : decayed).push_back(p);
  }
  return {decayed, plain};
}

// Running sums of a pass, on the device: read back only when due.
struct Trainer::Sums {
  torch::Tensor loss;      ///< Σ per-example loss (float64)
  torch::Tensor correct;   ///< Σ correct predictions (int64)
  torch::Tensor max_loss;  ///< the largest step loss since the last read-back (NaN if any was NaN)
  int64_t seen = 0;
  int64_t classes = 0;     ///< of the logits, for the divergence bound
  explicit Sums(const c10::Device& device)
      : loss(torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device))),
        correct(torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device))),
        max_loss(torch::full({}, -1.0, torch::TensorOptions().dtype(torch::kFloat32).device(device))) {}
};

Trainer::Trainer(std::shared_ptr<ClassifierImpl> model, BatchSource& train, BatchSource& test, TrainOptions options)
    : model_(std::move(model)), train_(train), test_(test), options_(std::move(options)) {
  model_->to(options_.device);
  if (options_.channels_last) to_channels_last(*model_);
  if (options_.precision == Precision::kFp16) scaler_ = std::make_unique<LossScaler>();
  if (options_.group) {  // every rank starts from rank 0's weights and statistics
    std::vector<torch::Tensor> state = model_->parameters();
    for (const auto& b : model_->buffers()) state.push_back(b);
    torch::NoGradGuard no_grad;
    options_.group->broadcast(state);
  }
  build_optimizer();
}

void Trainer::build_optimizer() {
  const auto& o = options_.optimizer;
  auto [decayed, plain] = decay_groups(*model_, o.decay_excludes);
  parameters_ = decayed;
  parameters_.insert(parameters_.end(), plain.begin(), plain.end());
  auto group_options = [&](double decay) {
    auto opts = std::make_unique<torch::optim::SGDOptions>(o.lr);
    opts->momentum(o.momentum).nesterov(o.nesterov).weight_decay(decay);
    return opts;
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, group_options(o.weight_decay));
  groups.emplace_back(plain, group_options(0.0));
  optimizer_ = std::make_unique<torch::optim::SGD>(std::move(groups), torch::optim::SGDOptions(o.lr));
  if (options_.group) options_.group->attach_gradients(parameters_);
}

namespace {

// The key LibTorch's optimisers file a parameter's state under: a string of the TensorImpl's
// address in 1.13, the address itself in later versions.
template <typename Key>
Key optimizer_state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << static_cast<const void*>(p.unsafeGetTensorImpl());
    return text.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

}  // namespace

void Trainer::parameters_replaced(const std::vector<ParameterBlend>& blends) {
  using Key = typename std::decay_t<decltype(optimizer_->state())>::key_type;
  std::map<const void*, torch::Tensor> momentum;  // the current state, by parameter
  for (const auto& p : parameters_) {
    auto it = optimizer_->state().find(optimizer_state_key<Key>(p));
    if (it != optimizer_->state().end())
      momentum[p.unsafeGetTensorImpl()] = static_cast<torch::optim::SGDParamState&>(*it->second).momentum_buffer();
  }
  model_->to(options_.device);
  if (options_.channels_last) to_channels_last(*model_);
  build_optimizer();
  std::map<const void*, const ParameterBlend*> made;
  for (const auto& b : blends) made[b.parameter.unsafeGetTensorImpl()] = &b;
  torch::NoGradGuard no_grad;
  for (const auto& p : parameters_) {
    torch::Tensor buffer;
    if (auto kept = momentum.find(p.unsafeGetTensorImpl()); kept != momentum.end()) {
      buffer = kept->second;
    } else if (auto blend = made.find(p.unsafeGetTensorImpl()); blend != made.end()) {
      auto a = momentum.find(blend->second->first.unsafeGetTensorImpl());
      auto b = momentum.find(blend->second->second.unsafeGetTensorImpl());
      if (a == momentum.end() || b == momentum.end()) continue;  // no state yet: none to carry
      const double w = blend->second->weight;
      buffer = w == 0.0 ? a->second.clone() : a->second * (1.0 - w) + b->second * w;
      buffer = buffer.to(p.device()).contiguous(p.suggest_memory_format());
    } else {
      continue;
    }
    auto state = std::make_unique<torch::optim::SGDParamState>();
    state->momentum_buffer(buffer);
    optimizer_->state()[optimizer_state_key<Key>(p)] = std::move(state);
  }
}

void Trainer::set_learning_rate(double lr) {
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
}

bool Trainer::train_step(const Batch& batch, Sums& sums, bool may_stop) {
  for (auto& p : parameters_) p.mutable_grad() = torch::Tensor();  // set to none: no zero-fill
  const int64_t n = batch.labels.size(0);
  auto stop_wanted = [&] { return may_stop && options_.stop_requested && options_.stop_requested(); };
  bool stop = false;
  DataParallelGroup* group = options_.group.get();
  PhaseClock clock(phases_, options_.device);
  torch::Tensor logits, loss;
  // A data-parallel rank may get no example of a small last batch: it sends zero gradients, but with
  // synchronised BatchNorm it still takes part in the forward's and backward's statistics.
  if (n > 0 || (group && options_.sync_batchnorm)) {
    {
      AutocastGuard autocast(options_.precision, options_.device);
      SyncBatchNormScope sync(options_.sync_batchnorm ? group : nullptr);
      logits = model_->forward(batch.images);
    }
    torch::Tensor objective;
    if (batch.total > 0) {  // rank r's part of the global batch's mean loss: Σ_{i ∈ r} ℓ_i / N
      namespace F = torch::nn::functional;
      objective = F::cross_entropy(logits.to(torch::kFloat32), batch.labels,
                                   F::CrossEntropyFuncOptions().reduction(torch::kSum).label_smoothing(options_.label_smoothing)) /
                  static_cast<double>(batch.total);
      if (n > 0) loss = objective.detach() * (static_cast<double>(batch.total) / n);
    } else {
      objective = loss = torch::nn::functional::cross_entropy(
          logits.to(torch::kFloat32), batch.labels,
          torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(options_.label_smoothing));
    }
    clock.lap(0);
    if (group) group->begin_backward(stop_wanted());  // the latest point a rank's wish can travel with the gradients
    (scaler_ ? scaler_->scale(objective) : objective).backward();
  } else if (group) {
    group->begin_backward(stop_wanted());
  }
  if (group) stop = group->end_backward();
  clock.lap(1);
  if (scaler_) {
    const bool finite = scaler_->unscale(parameters_);
    if (finite) optimizer_->step();
    scaler_->update(finite);
  } else {
    optimizer_->step();
  }
  clock.lap(2);
  if (!group) stop = stop_wanted();  // after the update: a request made during this step stops after it
  if (n == 0) return stop;
  torch::NoGradGuard no_grad;
  sums.loss.add_(loss.detach(), n);
  sums.max_loss = torch::maximum(sums.max_loss, loss.detach());
  sums.correct.add_(logits.argmax(1).eq(batch.labels).sum());
  sums.seen += n;
  sums.classes = logits.size(1);
  clock.lap(3);
  return stop;
}

std::array<double, 3> Trainer::totals(const Sums& sums) {
  const double loss = sums.loss.item<double>(), correct = static_cast<double>(sums.correct.item<int64_t>());
  if (!options_.group) return {loss, correct, static_cast<double>(sums.seen)};
  std::vector<torch::Tensor> t{torch::tensor({loss, correct, static_cast<double>(sums.seen)}, torch::kFloat64)};
  options_.group->all_reduce_sum(t);
  return {t[0][0].item<double>(), t[0][1].item<double>(), t[0][2].item<double>()};
}

void Trainer::reconcile_replicas(long epoch) {
  if (!options_.group) return;
  average_buffers(*options_.group, model_->buffers());
  const auto differing = ranks_with_other_parameters(*options_.group, parameters_);
  if (!differing.empty())
    throw Error(fmt::format("{}: after epoch {} the parameters of rank(s) {} differ from rank 0's", options_.label, epoch,
                            fmt::join(differing, ", ")));
}

Trainer::Evaluation Trainer::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  Sums sums(options_.device);
  torch::Tensor correct5 = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(options_.device));
  int64_t classes = 0;
  const int64_t steps = test_.begin(1);
  for (int64_t step = 0; step < steps; ++step) {
    Batch batch = test_.next();
    if (batch.labels.size(0) == 0) continue;  // a data-parallel rank's empty share
    torch::Tensor logits;
    {
      AutocastGuard autocast(options_.precision, options_.device);
      logits = model_->forward(batch.images);
    }
    sums.loss.add_(torch::nn::functional::cross_entropy(
        logits.to(torch::kFloat32), batch.labels,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)));
    sums.correct.add_(logits.argmax(1).eq(batch.labels).sum());
    classes = logits.size(1);
    if (classes > 5) correct5.add_(std::get<1>(logits.topk(5, 1)).eq(batch.labels.unsqueeze(1)).any(1).sum());
    sums.seen += batch.labels.size(0);
  }
  const auto [loss, correct, seen] = totals(sums);
  const double n = std::max(1.0, seen);
  Evaluation e{loss / n, 100.0 * (1.0 - correct / n), std::nullopt};
  // Every rank's count, and whether any rank saw more than 5 classes (one with no test images saw none).
  std::vector<torch::Tensor> top5{
      torch::tensor({static_cast<double>(correct5.item<int64_t>()), classes > 5 ? 1.0 : 0.0}, torch::kFloat64)};
  if (options_.group) options_.group->all_reduce_sum(top5);
  if (top5[0][1].item<double>() > 0) e.top5_error = 100.0 * (1.0 - top5[0][0].item<double>() / n);
  return e;
}

int64_t Trainer::continue_partial_epoch(long epoch, Sums& sums, EpochMetrics& m, double& seconds_before,
                                       at::Generator& generator) {
  if (!partial_ || partial_->epoch != epoch) {
    torch::manual_seed(derive_seed(options_.seed, epoch, kStochasticStream));
    partial_.reset();
    return 0;
  }
  seconds_before = partial_->seconds;
  if (is_lead_rank(options_.group.get())) {  // the sums are global: one rank carries them
    sums.loss.fill_(partial_->loss_sum);
    sums.correct.fill_(partial_->correct);
    sums.seen = partial_->seen;
  }
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(partial_->generator_state);
  }
  m.steps = partial_->records;
  const int64_t first_step = partial_->steps_done;
  partial_.reset();
  return first_step;
}

void Trainer::keep_partial_epoch(long epoch, int64_t steps_done, int64_t steps, const Sums& sums, double seconds,
                                 const EpochMetrics& m, at::Generator& generator) {
  PartialEpoch p;
  p.epoch = epoch;
  p.steps_done = steps_done;
  p.steps = steps;
  const auto [loss_sum, correct, seen] = totals(sums);
  p.loss_sum = loss_sum;
  p.correct = static_cast<int64_t>(correct);
  p.seen = static_cast<int64_t>(seen);
  p.seconds = seconds;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    p.generator_state = generator.get_state();
  }
  p.records = m.steps;
  partial_ = p;
  // Data-parallel: rank 0's checkpoint must carry every rank's BatchNorm statistics, which are
  // otherwise averaged only at the epoch's end. Their updates are linear (an exponential moving
  // average), so averaging now and going on ends the epoch where the ranks' average would have.
  if (options_.group) average_buffers(*options_.group, model_->buffers());
}

double Trainer::checked_loss_sum(Sums& sums, long epoch, int64_t first_unchecked, int64_t done, double lr) {
  const auto read = torch::stack({sums.loss, sums.max_loss.to(torch::kFloat64)}).cpu();
  const double loss_sum = read[0].item<double>(), max_loss = read[1].item<double>();
  const double bound = options_.divergence ? *options_.divergence * std::log(std::max<int64_t>(2, sums.classes)) : 0;
  if (!std::isfinite(loss_sum) || !std::isfinite(max_loss) || (options_.divergence && max_loss > bound)) {
    const std::string steps_text = first_unchecked + 1 == done ? fmt::format("step {}", done)
                                                               : fmt::format("steps {}-{}", first_unchecked + 1, done);
    const std::string what = std::isfinite(max_loss) && std::isfinite(loss_sum)
                                 ? fmt::format("reached {:.4g}, above the divergence bound {:g} x ln({}) = {:.4g}",
                                               max_loss, *options_.divergence, sums.classes, bound)
                                 : fmt::format("is {}", std::isfinite(max_loss) ? loss_sum : max_loss);
    throw Error(fmt::format("{}: loss {} at epoch {} {} (lr {}); the last finished epoch is kept for --resume",
                            options_.label, what, epoch, steps_text, lr));
  }
  sums.max_loss.fill_(-1.0);
  return loss_sum;
}

namespace {

// An epoch's step records: the running loss sum kept on the device at each record, with the images
// seen and the learning rate, read once when the epoch ends or stops (no synchronisation per step).
class StepRecords {
 public:
  StepRecords(const torch::Tensor& loss_sum, double seen) : sum_at_start_(loss_sum.clone()), seen_at_start_(seen) {}

  void add(const torch::Tensor& loss_sum, double seen, int64_t step, double lr) {
    sums_.push_back(loss_sum.clone());
    seen_.push_back(seen);
    pending_.push_back({step, 0.0, lr});  // the loss is known when read
  }

  // Appends each record to `out` with the mean loss of the images since the one before; once, when
  // the epoch ends or stops.
  void read_into(std::vector<StepRecord>& out) const {
    if (pending_.empty()) return;
    const auto read = torch::stack(sums_).to(torch::kCPU, torch::kFloat64);
    double before = sum_at_start_.to(torch::kCPU, torch::kFloat64).item<double>(), seen_before = seen_at_start_;
    for (size_t i = 0; i < pending_.size(); ++i) {
      const double sum = read[static_cast<int64_t>(i)].item<double>();
      out.push_back({pending_[i].step, (sum - before) / std::max(1.0, seen_[i] - seen_before), pending_[i].lr});
      before = sum, seen_before = seen_[i];
    }
  }

 private:
  torch::Tensor sum_at_start_;
  double seen_at_start_;
  std::vector<torch::Tensor> sums_;
  std::vector<double> seen_;
  std::vector<StepRecord> pending_;
};

}  // namespace

std::optional<EpochMetrics> Trainer::train_epoch(long epoch) {
  const int64_t n = train_.size();
  Sums sums(options_.device);
  EpochMetrics m;
  m.epoch = epoch;
  double seconds_before = 0;  // of an interrupted epoch, before this process took it up
  at::Generator generator = at::globalContext().defaultGenerator(options_.device);  // stochastic layers
  const int64_t first_step = continue_partial_epoch(epoch, sums, m, seconds_before, generator);
  const int64_t steps = train_.begin(epoch, first_step);
  model_->train();
  Progress progress(options_.label);
  StepRecords records(sums.loss, static_cast<double>(sums.seen));
  auto start = Clock::now(), last_check = start;
  int64_t checked_steps = first_step;
  auto check = [&](int64_t done) {  // the progress line, and the loss of the steps since the last check
    const double loss_sum = checked_loss_sum(sums, epoch, checked_steps, done, m.lr);
    checked_steps = done;
    last_check = Clock::now();
    const double rate = sums.seen / std::max(seconds_since(start), 1e-9);
    const double remaining_images = static_cast<double>(n - sums.seen) + static_cast<double>(n) * (options_.epochs - epoch);
    if (options_.show_progress) progress.update(epoch, options_.epochs, done, steps, loss_sum / sums.seen, rate, remaining_images / rate);
  };
  for (int64_t step = first_step; step < steps; ++step) {
    const double t = (epoch - 1) + static_cast<double>(step) / steps;
    m.lr = learning_rate(options_.schedule, options_.optimizer.lr, t, options_.epochs);  // the epoch reports its last step's
    set_learning_rate(m.lr);
    const bool stop = train_step(train_.next(), sums, /*may_stop=*/step + 1 < steps);
    if ((step + 1) % kStepRecordInterval == 0 || step + 1 == steps || stop)
      records.add(sums.loss, static_cast<double>(sums.seen), (epoch - 1) * steps + step + 1, m.lr);
    try {
      if (stop || step + 1 == steps || seconds_since(last_check) >= options_.check_interval) check(step + 1);
    } catch (const Error&) {
      progress.clear();
      throw;
    }
    if (stop) {  // keep everything the rest of the epoch needs to continue exactly
      progress.clear();
      records.read_into(m.steps);
      keep_partial_epoch(epoch, step + 1, steps, sums, seconds_before + seconds_since(start), m, generator);
      return std::nullopt;
    }
  }
  progress.clear();
  records.read_into(m.steps);
  m.train_seconds = seconds_before + seconds_since(start);
  const auto [loss_sum, correct, seen_total] = totals(sums);
  const double seen = std::max(1.0, seen_total);
  m.train_loss = loss_sum / seen;
  m.train_error = 100.0 * (1.0 - correct / seen);
  m.images_per_second = seen_total / std::max(m.train_seconds, 1e-9);
  reconcile_replicas(epoch);
  const Evaluation test = evaluate();
  m.test_loss = test.loss, m.test_error = test.error, m.test_top5_error = test.top5_error;
  m.epoch_seconds = seconds_before + seconds_since(start);
  return m;
}

Trainer::Outcome Trainer::train(const std::function<void(const EpochMetrics&)>& on_epoch,
                                const std::function<bool(long)>& start_epoch) {
  for (long epoch = completed_epochs_ + 1; epoch <= options_.epochs; ++epoch) {
    const bool continuing = partial_ && partial_->epoch == epoch;
    if (!continuing && options_.stop_requested) {  // a request during the last epoch's last step stops here
      const bool stop = options_.stop_requested();
      if (options_.group ? rank0_decides(*options_.group, stop) : stop) return Outcome::kStopped;
    }
    if (!continuing && start_epoch) {
      const bool go = options_.group ? rank0_decides(*options_.group, start_epoch(epoch)) : start_epoch(epoch);
      if (!go) return Outcome::kAtBoundary;
    }
    std::optional<EpochMetrics> m = train_epoch(epoch);
    if (!m) return Outcome::kInterrupted;
    completed_epochs_ = epoch;
    on_epoch(*m);
  }
  return Outcome::kFinished;
}

std::optional<std::array<int64_t, 3>> Trainer::partial_position() const {
  if (!partial_) return std::nullopt;
  return std::array<int64_t, 3>{partial_->epoch, partial_->steps_done, partial_->steps};
}

double Trainer::measure_throughput(int64_t steps, int64_t warmup, StepPhases* phases) {
  model_->train();
  set_learning_rate(learning_rate(options_.schedule, options_.optimizer.lr, 0.0, options_.epochs));
  Sums sums(options_.device);
  long pass = 1;
  int64_t in_pass = train_.begin(pass), step_in_pass = 0;
  auto next_batch = [&] {
    if (step_in_pass == in_pass) in_pass = train_.begin(++pass), step_in_pass = 0;
    ++step_in_pass;
    return train_.next();
  };
  for (int64_t i = 0; i < warmup; ++i) train_step(next_batch(), sums);
  sums.loss.item<double>();  // waits for the warm-up steps on an asynchronous device
  const int64_t seen_before = sums.seen;
  phases_ = phases;
  struct Unset {
    StepPhases*& p;
    ~Unset() { p = nullptr; }
  } unset{phases_};
  auto start = Clock::now();
  for (int64_t i = 0; i < steps; ++i) train_step(next_batch(), sums);
  const double loss_sum = sums.loss.item<double>();
  const double seconds = seconds_since(start);
  if (!std::isfinite(loss_sum)) throw Error(fmt::format("{}: loss is {} while measuring throughput", options_.label, loss_sum));
  return (sums.seen - seen_before) / std::max(seconds, 1e-9);
}

void Trainer::save_checkpoint(const std::string& path) const {
  // Serialised into memory first: LibTorch's file writer reports a failed write (a full disk)
  // from a destructor, which aborts; our own writer names the file and the reason.
  std::string bytes;
  {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model_archive, optimizer_archive;
    model_->save(model_archive);
    optimizer_->save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("epoch", torch::tensor(static_cast<int64_t>(completed_epochs_)));
    if (scaler_) {
      archive.write("loss_scale", torch::tensor(scaler_->current_scale(), torch::kFloat64));
      archive.write("loss_scale_clean_steps", torch::tensor(scaler_->clean_steps()));
    }
    if (partial_) {  // an epoch stopped mid-way: [epoch, steps done, steps, correct, seen], [loss sum, seconds]
      archive.write("partial_counts", torch::tensor(std::vector<int64_t>{partial_->epoch, partial_->steps_done,
                                                                         partial_->steps, partial_->correct, partial_->seen}));
      archive.write("partial_sums", torch::tensor(std::vector<double>{partial_->loss_sum, partial_->seconds}, torch::kFloat64));
      archive.write("partial_generator", partial_->generator_state);
      std::vector<double> records;  // [step, loss, lr] rows
      for (const auto& r : partial_->records) records.insert(records.end(), {static_cast<double>(r.step), r.loss, r.lr});
      archive.write("partial_step_records",
                    torch::tensor(records, torch::kFloat64).reshape({static_cast<int64_t>(partial_->records.size()), 3}));
    }
    archive.save_to([&](const void* data, size_t size) {
      bytes.append(static_cast<const char*>(data), size);
      return size;
    });
  }
  nlohmann::json identity = options_.identity.is_object() ? options_.identity : nlohmann::json::object();
  identity["epoch"] = completed_epochs_;
  write_checkpoint_file(path, bytes, identity);
}

void Trainer::load_checkpoint(const std::string& path) {
  nlohmann::json identity;
  const std::string payload = read_checkpoint_file(path, identity);
  if (identity.is_object() && options_.identity.is_object())
    for (const auto& [key, value] : options_.identity.items())
      if (identity.contains(key) && identity[key] != value)
        throw DataError(fmt::format("{}: checkpoint of another run ({} {} where this run has {})", path, key,
                                    identity[key].dump(), value.dump()));
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(payload.data(), payload.size(), options_.device);
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model_->load(model_archive);
    optimizer_->load(optimizer_archive);
    torch::Tensor epoch;
    archive.read("epoch", epoch);
    completed_epochs_ = epoch.item<int64_t>();
    if (identity.is_object() && identity.contains("epoch") && identity["epoch"] != completed_epochs_)
      throw DataError(fmt::format("{}: checkpoint header says epoch {}, its contents epoch {}", path,
                                  identity["epoch"].dump(), completed_epochs_));
    torch::Tensor scale, clean_steps;
    if (scaler_ && archive.try_read("loss_scale", scale) && archive.try_read("loss_scale_clean_steps", clean_steps))
      scaler_->restore(scale.item<double>(), clean_steps.item<int64_t>());
    torch::Tensor counts, sums, generator;
    partial_.reset();
    if (archive.try_read("partial_counts", counts) && archive.try_read("partial_sums", sums) &&
        archive.try_read("partial_generator", generator)) {
      counts = counts.cpu(), sums = sums.cpu();
      PartialEpoch p;
      p.epoch = counts[0].item<int64_t>();
      p.steps_done = counts[1].item<int64_t>();
      p.steps = counts[2].item<int64_t>();
      p.correct = counts[3].item<int64_t>();
      p.seen = counts[4].item<int64_t>();
      p.loss_sum = sums[0].item<double>();
      p.seconds = sums[1].item<double>();
      p.generator_state = generator.cpu();  // generator states are CPU byte tensors
      torch::Tensor records;
      if (archive.try_read("partial_step_records", records)) {  // absent in checkpoints before step records
        records = records.cpu();
        for (int64_t i = 0; i < records.size(0); ++i)
          p.records.push_back({static_cast<int64_t>(records[i][0].item<double>()), records[i][1].item<double>(),
                               records[i][2].item<double>()});
      }
      partial_ = p;
    }
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot read checkpoint: " + first_line(e));
  }
  if (options_.channels_last) to_channels_last(*model_);
}

}  // namespace odenet
