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

namespace odenet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Seeds derived from (seed, epoch, stream) so that every epoch is reproducible on its own.
uint64_t derive_seed(uint64_t seed, long epoch, uint64_t stream) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch) * 0xBF58476D1CE4E5B9ull + stream;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 29);
}

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

Trainer::Trainer(std::shared_ptr<ClassifierImpl> model, const DatasetSplits& data, TrainOptions options)
    : model_(std::move(model)), data_(data), options_(std::move(options)) {
  model_->to(options_.device);
  if (options_.channels_last) to_channels_last(*model_);
  const auto& o = options_.optimizer;
  auto [decayed, plain] = decay_groups(*model_, o.decay_excludes);
  auto group_options = [&](double decay) {
    auto opts = std::make_unique<torch::optim::SGDOptions>(o.lr);
    opts->momentum(o.momentum).nesterov(o.nesterov).weight_decay(decay);
    return opts;
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, group_options(o.weight_decay));
  groups.emplace_back(plain, group_options(0.0));
  optimizer_ = std::make_unique<torch::optim::SGD>(std::move(groups), torch::optim::SGDOptions(o.lr));
}

std::pair<double, double> Trainer::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  const auto& test = data_.test;
  std::mt19937_64 unused(0);
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t start = 0; start < test.size(); start += options_.eval_batch_size) {
    int64_t n = std::min<int64_t>(options_.eval_batch_size, test.size() - start);
    std::vector<int64_t> idx(n);
    std::iota(idx.begin(), idx.end(), start);
    auto x = make_batch(test, idx, options_.augment, /*train=*/false, unused).to(options_.device);
    auto y = test.labels.narrow(0, start, n).to(options_.device);
    auto logits = model_->forward(x);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  double n = static_cast<double>(std::max<int64_t>(1, test.size()));
  return {loss_sum / n, 100.0 * (1.0 - correct / n)};
}

EpochMetrics Trainer::train_epoch(long epoch) {
  const auto& train = data_.train;
  const int64_t n = train.size();
  std::mt19937_64 rng(derive_seed(options_.seed, epoch, 1));
  torch::manual_seed(derive_seed(options_.seed, epoch, 2));  // stochastic layers
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  // A last batch of one example would break BatchNorm: fold it into the previous one.
  int64_t steps = std::max<int64_t>(1, (n + options_.batch_size - 1) / options_.batch_size);
  if (steps > 1 && n % options_.batch_size == 1) --steps;

  model_->train();
  Progress progress(options_.label);
  EpochMetrics m;
  m.epoch = epoch;
  auto start = Clock::now();
  double loss_sum = 0;
  int64_t correct = 0, seen = 0;
  for (int64_t step = 0; step < steps; ++step) {
    double t = (epoch - 1) + static_cast<double>(step) / steps;
    double lr = learning_rate(options_.schedule, options_.optimizer.lr, t, options_.epochs);
    for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    m.lr = lr;  // the epoch reports its last step's rate

    int64_t begin = step * options_.batch_size;
    int64_t end = step == steps - 1 ? n : begin + options_.batch_size;
    std::vector<int64_t> idx(order.begin() + begin, order.begin() + end);
    auto x = make_batch(train, idx, options_.augment, /*train=*/true, rng).to(options_.device);
    auto y = train.labels.index_select(0, torch::tensor(idx, torch::kInt64)).to(options_.device);

    optimizer_->zero_grad();
    auto logits = model_->forward(x);
    auto loss = torch::nn::functional::cross_entropy(logits, y);
    double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value))
      throw Error(fmt::format("{}: loss is {} at epoch {} step {} (lr {}); the last finished epoch is kept for --resume",
                              options_.label, loss_value, epoch, step + 1, lr));
    loss.backward();
    optimizer_->step();

    loss_sum += loss_value * static_cast<double>(idx.size());
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
    seen += static_cast<int64_t>(idx.size());
    double elapsed = seconds_since(start);
    double rate = seen / std::max(elapsed, 1e-9);
    double remaining_images = static_cast<double>(n - seen) + static_cast<double>(n) * (options_.epochs - epoch);
    progress.update(epoch, options_.epochs, step + 1, steps, loss_sum / seen, rate, remaining_images / rate);
  }
  progress.clear();
  m.train_seconds = seconds_since(start);
  m.train_loss = loss_sum / std::max<int64_t>(1, seen);
  m.train_error = 100.0 * (1.0 - static_cast<double>(correct) / std::max<int64_t>(1, seen));
  m.images_per_second = seen / std::max(m.train_seconds, 1e-9);
  std::tie(m.test_loss, m.test_error) = evaluate();
  m.epoch_seconds = seconds_since(start);
  return m;
}

void Trainer::train(const std::function<void(const EpochMetrics&)>& on_epoch) {
  for (long epoch = completed_epochs_ + 1; epoch <= options_.epochs; ++epoch) {
    EpochMetrics m = train_epoch(epoch);
    completed_epochs_ = epoch;
    on_epoch(m);
  }
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
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    throw Error(path + ": cannot read checkpoint: " + what.substr(0, what.find('\n')));
  }
  if (options_.channels_last) to_channels_last(*model_);
}

}  // namespace odenet
