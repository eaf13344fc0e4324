#include "data/loader.h"

#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <numeric>

#include "core/error.h"
#include "core/error_text.h"
#include "core/seeds.h"
#include "data/stream_batch.h"

namespace odenet {

struct Loader::Slot {
  torch::Tensor images, labels;  ///< host buffers of the largest batch, reused
  int64_t step = -1;
  int64_t count = 0;  ///< examples assembled (fewer than the shard's when corrupt images were skipped)
  bool ready = false;
  std::exception_ptr error;
  std::unique_ptr<c10::Event> copied;  ///< CUDA: recorded after the non-blocking copy out of `images`
};

int64_t batches_per_pass(int64_t n, int64_t batch_size, bool train) {
  int64_t steps = std::max<int64_t>(1, (n + batch_size - 1) / batch_size);
  if (train && steps > 1 && n % batch_size == 1) --steps;
  return steps;
}

Loader::Loader(const Dataset& data, LoaderOptions options) : data_(data), options_(std::move(options)) {
  if (options_.batch_size < 1) throw Error("loader: batch size must be positive");
  if (data_.size() == 0) throw Error("loader: the data set is empty");
  if (options_.shards < 1 || options_.shard < 0 || options_.shard >= options_.shards)
    throw Error(fmt::format("loader: shard {} of {} does not exist", options_.shard, options_.shards));
  const bool pinned = options_.device.is_cuda();
  const int64_t capacity = std::min(data_.size(), options_.batch_size + 1);
  // The batch in use + those ahead; streamed, at least one per worker (each decodes a whole batch).
  const int depth = std::max(1, data_.stream ? std::max(options_.prefetch, options_.workers) : options_.prefetch) + 1;
  // Streamed images stay uint8 until the device, where they are normalised (on a CPU: by the workers).
  const bool raw = data_.stream && !options_.device.is_cpu();
  for (int i = 0; i < depth; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->images = raw ? torch::empty({capacity, data_.height(), data_.width(), data_.channels()},
                                      torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(pinned))
                       : empty_batch(data_, capacity, options_.augment, pinned);
    slot->labels = torch::empty({capacity}, torch::TensorOptions().dtype(torch::kInt64).pinned_memory(pinned));
    slots_.push_back(std::move(slot));
  }
  for (int w = 0; w < std::max(1, options_.workers); ++w) workers_.emplace_back([this] { work(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : workers_) t.join();
}

int64_t Loader::batch_end(int64_t step) const {
  return step == steps_ - 1 ? data_.size() : (step + 1) * options_.batch_size;
}

std::pair<int64_t, int64_t> Loader::shard_range(int64_t begin, int64_t end) const {
  const int64_t n = end - begin, r = options_.shard, w = options_.shards;
  return {begin + n * r / w, begin + n * (r + 1) / w};
}

std::vector<int64_t> Loader::indices(int64_t step) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto [first, last] = shard_range(batch_begin(step), batch_end(step));
  return {order_.begin() + first, order_.begin() + last};
}

void Loader::drain(std::unique_lock<std::mutex>& lock) {
  ++generation_;  // batches being assembled for the old pass are dropped when they finish
  steps_ = 0;     // and no new ones are started
  batch_ready_.wait(lock, [&] { return in_flight_ == 0; });
}

int64_t Loader::begin(long epoch, int64_t first_step) {
  std::unique_lock<std::mutex> lock(mutex_);
  drain(lock);
  epoch_ = epoch;
  const int64_t n = data_.size();
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), 0);
  if (options_.train) {
    std::mt19937_64 rng(derive_seed(options_.seed, epoch, kOrderStream));
    std::shuffle(order_.begin(), order_.end(), rng);
  }
  steps_ = batches_per_pass(n, options_.batch_size, options_.train);
  if (first_step < 0 || first_step > steps_)
    throw Error(fmt::format("loader: pass {} has {} batches, cannot start at batch {}", epoch, steps_, first_step + 1));
  next_to_assemble_ = first_step;
  held_ = first_step - 1;
  for (auto& slot : slots_) slot->ready = false;
  lock.unlock();
  work_ready_.notify_all();
  return steps_;
}

void Loader::assemble(Slot& slot, int64_t step, long epoch) {
  if (slot.copied)  // the previous batch in this buffer may still be on its way to the device
    while (!slot.copied->query()) std::this_thread::sleep_for(std::chrono::microseconds(20));
  const int64_t begin = batch_begin(step), end = batch_end(step);
  const auto [first, last] = shard_range(begin, end);
  const int64_t n = last - first;
  const int64_t* idx = order_.data() + first;
  const uint64_t view_seed = derive_seed(derive_seed(options_.seed, epoch, kViewStream), step, 0);
  if (data_.stream) {
    assemble_streamed(slot, idx, n, order_.data() + begin, end - begin, view_seed);
    return;
  }
  std::vector<View> views;
  if (options_.train) {  // drawn for the whole global batch: a shard sees what one process would
    std::mt19937_64 rng(view_seed);
    views = draw_views(end - begin, options_.augment, rng);
    views = std::vector<View>(views.begin() + (first - begin), views.begin() + (last - begin));
  }
  if (n > 0) assemble_batch(data_, idx, n, views, options_.augment, slot.images);
  const int64_t* labels = data_.labels.data_ptr<int64_t>();
  int64_t* out = slot.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) out[i] = labels[idx[i]];
  slot.count = n;
}

void Loader::assemble_streamed(Slot& slot, const int64_t* idx, int64_t n, const int64_t* batch, int64_t batch_size,
                               uint64_t view_seed) {
  const ImageStream& stream = *data_.stream;
  std::vector<StreamView> views;
  if (options_.train) {  // drawn for the whole global batch (from the images' indexed sizes), as above
    views = draw_stream_views(stream, batch, batch_size, options_.augment.flip, view_seed);
    const auto at = views.begin() + (idx - batch);
    views = std::vector<StreamView>(at, at + n);
  }
  const StreamBatchResult result = assemble_stream_batch(stream, idx, n, views, options_.augment, slot.images);
  const int64_t* labels = data_.labels.data_ptr<int64_t>();
  int64_t* out = slot.labels.data_ptr<int64_t>();
  for (size_t k = 0; k < result.kept.size(); ++k) out[k] = labels[idx[result.kept[k]]];
  slot.count = static_cast<int64_t>(result.kept.size());
  for (const auto& error : result.skipped)  // counted and said, never silent
    std::fprintf(stderr, "warning: skipped a corrupt image (%lld so far): %s\n", static_cast<long long>(++skipped_),
                 error.c_str());
}

void Loader::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  const int64_t ahead = static_cast<int64_t>(slots_.size()) - 1;
  while (true) {
    work_ready_.wait(lock, [&] { return stop_ || (next_to_assemble_ < steps_ && next_to_assemble_ <= held_ + ahead); });
    if (stop_) return;
    const int64_t step = next_to_assemble_++;
    Slot& slot = *slots_[static_cast<size_t>(step) % slots_.size()];
    const uint64_t generation = generation_;
    const long epoch = epoch_;
    ++in_flight_;
    lock.unlock();
    std::exception_ptr error;
    try {
      assemble(slot, step, epoch);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    --in_flight_;
    if (generation == generation_) {
      slot.step = step;
      slot.ready = true;
      slot.error = error;
    }
    batch_ready_.notify_all();
  }
}

Batch Loader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  const int64_t step = held_ + 1;
  if (step >= steps_) throw Error(fmt::format("loader: pass {} has only {} batches", epoch_, steps_));
  held_ = step;  // frees the previous batch's buffer for the workers
  work_ready_.notify_all();
  Slot& slot = *slots_[static_cast<size_t>(step) % slots_.size()];
  batch_ready_.wait(lock, [&] { return slot.ready && slot.step == step; });
  if (slot.error) {
    try {
      std::rethrow_exception(slot.error);
    } catch (const c10::Error& e) {
      throw Error(fmt::format("data loader, pass {} batch {}: {}", epoch_, step + 1, first_line(e)));
    } catch (const std::exception& e) {
      throw Error(fmt::format("data loader, pass {} batch {}: {}", epoch_, step + 1, e.what()));
    }
  }
  const int64_t n = slot.count;
  lock.unlock();
  Batch batch{slot.images.narrow(0, 0, n), slot.labels.narrow(0, 0, n)};
  if (options_.shards > 1) batch.total = batch_end(step) - batch_begin(step);
  if (!options_.device.is_cpu()) {
    batch.images = batch.images.to(options_.device, /*non_blocking=*/true);
    if (data_.stream) batch.images = normalize_batch(batch.images, options_.augment);
    batch.labels = batch.labels.to(options_.device, /*non_blocking=*/true);
    if (!slot.copied) slot.copied = std::make_unique<c10::Event>(options_.device.type());
    c10::impl::VirtualGuardImpl guard(options_.device.type());
    slot.copied->record(guard.getStream(options_.device));
  }
  return batch;
}

}  // namespace odenet
