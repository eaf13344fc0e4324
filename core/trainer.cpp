#include "core/trainer.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/serialize.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/seeds.h"

namespace odenet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// There is no module->to(memory_format) in LibTorch's C++ API: convert 4-D parameters in place.
void to_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

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
  return {{"epoch", m.epoch},
          {"lr", m.lr},
          {"train_loss", m.train_loss},
          {"train_error", m.train_error},
          {"test_loss", m.test_loss},
          {"test_error", m.test_error},
          {"train_seconds", m.train_seconds},
          {"epoch_seconds", m.epoch_seconds},
          {"images_per_second", m.images_per_second}};
}

EpochMetrics epoch_metrics_from_json(const nlohmann::json& j) {
  EpochMetrics m;
  m.epoch = j.at("epoch").get<long>();
  m.lr = j.at("lr").get<double>();
  m.train_loss = j.at("train_loss").get<double>();
  m.train_error = j.at("train_error").get<double>();
  m.test_loss = j.at("test_loss").get<double>();
  m.test_error = j.at("test_error").get<double>();
  m.train_seconds = j.at("train_seconds").get<double>();
  m.epoch_seconds = j.at("epoch_seconds").get<double>();
  m.images_per_second = j.at("images_per_second").get<double>();
  return m;
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
    const torch::nn::Module& model, const std::vector<std::string>& excludes) {
  auto excluded = [&](const std::string& c) { return std::count(excludes.begin(), excludes.end(), c) > 0; };
  std::set<const void*> bn_params;
  auto is_bn = [](const torch::nn::Module* m) {
    return dynamic_cast<const torch::nn::BatchNorm2dImpl*>(m) || dynamic_cast<const torch::nn::BatchNorm1dImpl*>(m);
  };
  std::vector<const torch::nn::Module*> all{&model};
  for (const auto& m : model.modules(/*include_self=*/false)) all.push_back(m.get());
  for (const auto* m : all)
    if (is_bn(m))
      for (const auto& p : m->parameters(/*recurse=*/false)) bn_params.insert(p.unsafeGetTensorImpl());
  std::vector<torch::Tensor> decayed, plain;
  for (const auto& item : model.named_parameters()) {
    const auto& p = item.value();
    if (!p.requires_grad()) continue;
    std::string last = last_component(item.key());
    bool skip = (excluded("bn") && bn_params.count(p.unsafeGetTensorImpl())) || (excluded("bias") && last == "bias") ||
                (excluded("k") && (last == "k" || last == "s"));
    (skip ? plain : decayed).push_back(p);
  }
  return {decayed, plain};
}

// Running sums of a pass, on the device: read back only when due.
struct Trainer::Sums {
  torch::Tensor loss;     ///< Σ per-example loss (float64)
  torch::Tensor correct;  ///< Σ correct predictions (int64)
  int64_t seen = 0;
  explicit Sums(const c10::Device& device)
      : loss(torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device))),
        correct(torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device))) {}
};

Trainer::Trainer(std::shared_ptr<ClassifierImpl> model, BatchSource& train, BatchSource& test, TrainOptions options)
    : model_(std::move(model)), train_(train), test_(test), options_(std::move(options)) {
  model_->to(options_.device);
  if (options_.channels_last) to_channels_last(*model_);
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
  if (options_.precision == Precision::kFp16) scaler_ = std::make_unique<LossScaler>();
}

void Trainer::set_learning_rate(double lr) {
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
}

void Trainer::train_step(const Batch& batch, Sums& sums) {
  for (auto& p : parameters_) p.mutable_grad() = torch::Tensor();  // set to none: no zero-fill
  torch::Tensor logits;
  {
    AutocastGuard autocast(options_.precision, options_.device);
    logits = model_->forward(batch.images);
  }
  auto loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), batch.labels);
  if (scaler_) {
    scaler_->scale(loss).backward();
    const bool finite = scaler_->unscale(parameters_);
    if (finite) optimizer_->step();
    scaler_->update(finite);
  } else {
    loss.backward();
    optimizer_->step();
  }
  torch::NoGradGuard no_grad;
  const int64_t n = batch.labels.size(0);
  sums.loss.add_(loss.detach(), n);
  sums.correct.add_(logits.argmax(1).eq(batch.labels).sum());
  sums.seen += n;
}

std::pair<double, double> Trainer::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  Sums sums(options_.device);
  const int64_t steps = test_.begin(1);
  for (int64_t step = 0; step < steps; ++step) {
    Batch batch = test_.next();
    torch::Tensor logits;
    {
      AutocastGuard autocast(options_.precision, options_.device);
      logits = model_->forward(batch.images);
    }
    sums.loss.add_(torch::nn::functional::cross_entropy(
        logits.to(torch::kFloat32), batch.labels,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)));
    sums.correct.add_(logits.argmax(1).eq(batch.labels).sum());
    sums.seen += batch.labels.size(0);
  }
  const double n = static_cast<double>(std::max<int64_t>(1, sums.seen));
  return {sums.loss.item<double>() / n, 100.0 * (1.0 - static_cast<double>(sums.correct.item<int64_t>()) / n)};
}

EpochMetrics Trainer::train_epoch(long epoch) {
  const int64_t n = train_.size();
  torch::manual_seed(derive_seed(options_.seed, epoch, kStochasticStream));  // stochastic layers
  const int64_t steps = train_.begin(epoch);

  model_->train();
  Progress progress(options_.label);
  EpochMetrics m;
  m.epoch = epoch;
  auto start = Clock::now(), last_check = start;
  Sums sums(options_.device);
  int64_t checked_steps = 0;
  // Reads the running loss back: the progress line, and the non-finite check over the steps since the last read.
  auto check = [&](int64_t done) {
    const double loss_sum = sums.loss.item<double>();
    if (!std::isfinite(loss_sum)) {
      progress.clear();
      std::string steps_text = checked_steps + 1 == done ? fmt::format("step {}", done)
                                                         : fmt::format("steps {}-{}", checked_steps + 1, done);
      throw Error(fmt::format("{}: loss is {} at epoch {} {} (lr {}); the last finished epoch is kept for --resume",
                              options_.label, loss_sum, epoch, steps_text, m.lr));
    }
    checked_steps = done;
    last_check = Clock::now();
    const double elapsed = seconds_since(start), rate = sums.seen / std::max(elapsed, 1e-9);
    const double remaining_images = static_cast<double>(n - sums.seen) + static_cast<double>(n) * (options_.epochs - epoch);
    progress.update(epoch, options_.epochs, done, steps, loss_sum / sums.seen, rate, remaining_images / rate);
  };
  for (int64_t step = 0; step < steps; ++step) {
    const double t = (epoch - 1) + static_cast<double>(step) / steps;
    m.lr = learning_rate(options_.schedule, options_.optimizer.lr, t, options_.epochs);  // the epoch reports its last step's
    set_learning_rate(m.lr);
    train_step(train_.next(), sums);
    if (step + 1 == steps || seconds_since(last_check) >= options_.check_interval) check(step + 1);
  }
  progress.clear();
  m.train_seconds = seconds_since(start);
  const double seen = static_cast<double>(std::max<int64_t>(1, sums.seen));
  m.train_loss = sums.loss.item<double>() / seen;
  m.train_error = 100.0 * (1.0 - static_cast<double>(sums.correct.item<int64_t>()) / seen);
  m.images_per_second = sums.seen / std::max(m.train_seconds, 1e-9);
  std::tie(m.test_loss, m.test_error) = evaluate();
  m.epoch_seconds = seconds_since(start);
  return m;
}

bool Trainer::train(const std::function<void(const EpochMetrics&)>& on_epoch,
                    const std::function<bool(long)>& start_epoch) {
  for (long epoch = completed_epochs_ + 1; epoch <= options_.epochs; ++epoch) {
    if (start_epoch && !start_epoch(epoch)) return false;
    EpochMetrics m = train_epoch(epoch);
    completed_epochs_ = epoch;
    on_epoch(m);
  }
  return true;
}

double Trainer::measure_throughput(int64_t steps, int64_t warmup) {
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
  auto start = Clock::now();
  for (int64_t i = 0; i < steps; ++i) train_step(next_batch(), sums);
  const double loss_sum = sums.loss.item<double>();
  const double seconds = seconds_since(start);
  if (!std::isfinite(loss_sum)) throw Error(fmt::format("{}: loss is {} while measuring throughput", options_.label, loss_sum));
  return (sums.seen - seen_before) / std::max(seconds, 1e-9);
}

void Trainer::save_checkpoint(const std::string& path) const {
  replace_file_atomic(path, [&](const std::string& tmp) {
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
    archive.save_to(tmp);
  });
}

void Trainer::load_checkpoint(const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, options_.device);
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model_->load(model_archive);
    optimizer_->load(optimizer_archive);
    torch::Tensor epoch;
    archive.read("epoch", epoch);
    completed_epochs_ = epoch.item<int64_t>();
    torch::Tensor scale, clean_steps;
    if (scaler_ && archive.try_read("loss_scale", scale) && archive.try_read("loss_scale_clean_steps", clean_steps))
      scaler_->restore(scale.item<double>(), clean_steps.item<int64_t>());
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    throw Error(path + ": cannot read checkpoint: " + what.substr(0, what.find('\n')));
  }
  if (options_.channels_last) to_channels_last(*model_);
}

}  // namespace odenet
