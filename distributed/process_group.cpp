#include "distributed/process_group.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/error_text.h"

#ifdef ODENET_HAVE_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#endif

namespace odenet {

#ifndef ODENET_HAVE_GLOO

bool data_parallel_available() { return false; }

std::unique_ptr<DataParallelGroup> join_group(const WorldInfo& world, std::chrono::milliseconds) {
  throw ConfigError(fmt::format("{} started {} processes, but this odenet was built without c10d's Gloo backend "
                                "(install libgloo-dev, or run scripts/setup.sh, and rebuild)",
                                world.launcher, world.world_size));
}

#else

bool data_parallel_available() { return true; }

namespace {

// Every rank counts itself in and waits for the others, within one `timeout` (with the store's
// own wait for workers, a lone rank waited twice: the store gave up silently after one timeout
// and Gloo's wait for the missing addresses took another).
void wait_for_ranks(c10d::Store& store, const WorldInfo& world, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int64_t joined = store.add("odenet_joined", 1);
  while (joined < world.world_size) {
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(fmt::format("{} of {} ranks joined within {} s", joined, world.world_size,
                              std::chrono::duration<double>(timeout).count()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    joined = store.add("odenet_joined", 0);
  }
}

// Parameters go into buckets of about this size, in reverse registration order (the order in which
// backward produces their gradients), so the first bucket can travel while backward goes on.
constexpr int64_t kBucketBytes = 1 << 20;

class GlooGroup : public DataParallelGroup {
 public:
  GlooGroup(const WorldInfo& world, std::chrono::milliseconds timeout) : world_(world) {
    try {
      c10d::TCPStoreOptions store_options;
      store_options.port = world.master_port;
      store_options.isServer = world.rank == 0 && !world.agent_store;
      // The server expects every rank; torchrun's agent store has its own count.
      if (!world.agent_store) store_options.numWorkers = static_cast<size_t>(world.world_size);
      store_options.waitWorkers = false;  // wait_for_ranks counts them, within one timeout
      store_options.timeout = timeout;
      const std::string address = store_address(world.master_addr, own_hostname());
      c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(address, store_options);
      if (!world.store_prefix.empty()) store = c10::make_intrusive<c10d::PrefixStore>(world.store_prefix, store);
      wait_for_ranks(*store, world, timeout);
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      const bool loopback = address.rfind("127.", 0) == 0 || address == "localhost";
      options->devices.push_back(interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                                 : loopback ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                            : c10d::ProcessGroupGloo::createDefaultDevice());
      // Two groups: the gradient buckets run asynchronously during backward; the other collectives
      // (metrics, checks, synchronised BatchNorm) must not interleave with them.
      gradients_ = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gradients", store),
                                                               world.rank, world.world_size, options);
      other_ = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("other", store),
                                                           world.rank, world.world_size, options);
    } catch (const std::exception& e) {
      throw Error(fmt::format("data-parallel rank {}/{} ({}): cannot join the group at {}:{}: {}", world.rank,
                              world.world_size, world.launcher, world.master_addr, world.master_port, first_line(e)));
    }
  }

  int rank() const override { return world_.rank; }
  int world_size() const override { return world_.world_size; }

  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    for (auto& t : tensors) collective("all-reduce", t, [&](std::vector<torch::Tensor>& one) { return other_->allreduce(one); });
  }

  void broadcast(std::vector<torch::Tensor>& tensors) override {
    for (auto& t : tensors) collective("broadcast", t, [&](std::vector<torch::Tensor>& one) { return other_->broadcast(one); });
  }

  void attach_gradients(const std::vector<torch::Tensor>& parameters) override {
    std::lock_guard<std::mutex> lock(mutex_);
    params_ = parameters;  // a sweep's next run replaces the previous run's parameters
    buckets_.clear();
    next_launch_ = 0;
    where_.assign(params_.size(), {0, 0});
    int64_t bytes = kBucketBytes;  // opens a bucket at the first parameter
    for (size_t k = params_.size(); k-- > 0;) {
      const auto& p = params_[k];
      if (bytes + p.numel() * 4 > kBucketBytes && !(buckets_.size() && buckets_.back().params.empty())) {
        buckets_.emplace_back();
        bytes = 0;
      }
      Bucket& b = buckets_.back();
      where_[k] = {buckets_.size() - 1, b.params.size()};
      b.params.push_back(k);
      b.offsets.push_back(b.numel);
      b.numel += p.numel();
      bytes += p.numel() * 4;
    }
    // Each bucket: the gradients, then one "arrived" flag per parameter; the last bucket ends with
    // the stop flag. All float32: the sums of the flags count the ranks.
    for (auto& b : buckets_) {
      b.flags_offset = b.numel;
      b.flat = torch::zeros({b.numel + static_cast<int64_t>(b.params.size()) + 1}, torch::kFloat32);
      b.arrived.assign(b.params.size(), false);
    }
    for (size_t k = 0; k < params_.size(); ++k)
      params_[k].register_hook([this, k](const torch::Tensor& grad) { on_gradient(k, grad); });
  }

  void begin_backward(bool stop) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& b : buckets_) {
      b.flat.zero_();
      b.pending = b.params.size();
      std::fill(b.arrived.begin(), b.arrived.end(), false);
      b.work.reset();
    }
    if (!buckets_.empty()) buckets_.back().flat.data_ptr<float>()[buckets_.back().flat.numel() - 1] = stop ? 1.0f : 0.0f;
    next_launch_ = 0;
    open_ = true;
  }

  bool end_backward() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = false;
      while (next_launch_ < buckets_.size()) launch(next_launch_++);  // parameters unused on this rank send zeros
    }
    bool stop = false;
    torch::NoGradGuard no_grad;
    for (auto& b : buckets_) {
      wait(b.work, "gradient all-reduce");
      const float* flags = b.flat.data_ptr<float>() + b.flags_offset;  // how many ranks used each parameter
      for (size_t s = 0; s < b.params.size(); ++s) {
        torch::Tensor& p = params_[b.params[s]];
        const bool used_somewhere = flags[s] > 0;
        if (!used_somewhere) {
          p.mutable_grad() = torch::Tensor();
          continue;
        }
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        p.mutable_grad().copy_(b.flat.narrow(0, b.offsets[s], p.numel()).view(p.sizes()));
      }
    }
    if (!buckets_.empty()) stop = buckets_.back().flat.data_ptr<float>()[buckets_.back().flat.numel() - 1] > 0;
    return stop;
  }

 private:
  struct Bucket {
    std::vector<size_t> params;    ///< indices into params_
    std::vector<int64_t> offsets;  ///< of each parameter's gradient in `flat`
    std::vector<bool> arrived;
    int64_t numel = 0, flags_offset = 0;
    size_t pending = 0;
    torch::Tensor flat;
    c10::intrusive_ptr<c10d::Work> work;
  };

  // Called by autograd with parameter k's whole gradient, before it is accumulated into .grad.
  void on_gradient(size_t k, const torch::Tensor& grad) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_) return;  // a backward pass that is not a training step
    const auto [bi, s] = where_[k];
    Bucket& b = buckets_[bi];
    torch::NoGradGuard no_grad;
    auto slot = b.flat.narrow(0, b.offsets[s], grad.numel()).view(grad.sizes());
    if (b.arrived[s]) {
      slot.add_(grad);
      return;
    }
    slot.copy_(grad);
    b.flat.data_ptr<float>()[b.flags_offset + static_cast<int64_t>(s)] = 1.0f;
    b.arrived[s] = true;
    if (--b.pending == 0)  // buckets leave in index order on every rank, as collectives must
      while (next_launch_ < buckets_.size() && buckets_[next_launch_].pending == 0) launch(next_launch_++);
  }

  void launch(size_t i) {
    std::vector<torch::Tensor> one{buckets_[i].flat};
    try {
      buckets_[i].work = gradients_->allreduce(one);
    } catch (const std::exception& e) {
      fail("gradient all-reduce", e);
    }
  }

  void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
    try {
      if (work) work->wait();
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }

  // Gloo works on host memory: a device tensor travels through a host copy.
  template <typename Start>
  void collective(const char* what, torch::Tensor& t, Start start) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> one{t.is_cpu() ? t.contiguous() : t.cpu()};
    try {
      start(one)->wait();
    } catch (const std::exception& e) {
      fail(what, e);
    }
    if (!one[0].is_same(t)) t.copy_(one[0]);
  }

  [[noreturn]] void fail(const char* what, const std::exception& e) {
    throw Error(fmt::format("data-parallel rank {}/{}: {} failed ({}); another rank has probably stopped: see its output",
                            world_.rank, world_.world_size, what, first_line(e)));
  }

  WorldInfo world_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gradients_, other_;
  std::vector<torch::Tensor> params_;
  std::vector<std::pair<size_t, size_t>> where_;  ///< parameter → (bucket, slot)
  std::vector<Bucket> buckets_;
  size_t next_launch_ = 0;
  bool open_ = false;
  std::mutex mutex_;  ///< autograd may call the hooks from its own threads
};

}  // namespace

std::unique_ptr<DataParallelGroup> join_group(const WorldInfo& world, std::chrono::milliseconds timeout) {
  return std::make_unique<GlooGroup>(world, timeout);
}

#endif

}  // namespace odenet
