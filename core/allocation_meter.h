// Host memory a piece of code allocates through LibTorch's CPU allocator, measured on the
// calling thread (and the intra-op threads LibTorch lends it) through c10's memory-reporting
// hook: live bytes, their peak, and an optional limit. Used to size a model and its training
// step before a run allocates them for real.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace odenet {

/// An allocation took the metered bytes past the meter's limit (thrown from the allocation
/// itself, so the code that asked stops there).
class MemoryLimitExceeded : public std::runtime_error {
 public:
  MemoryLimitExceeded(int64_t live, int64_t limit);
  int64_t live() const { return live_; }
  int64_t limit() const { return limit_; }

 private:
  int64_t live_, limit_;
};

class AllocationMeter {
 public:
  /// Meters this thread's CPU allocations for the meter's lifetime; `limit` > 0: an allocation
  /// that takes the live bytes past it throws MemoryLimitExceeded. The refused block keeps its
  /// address range (never touched, so no resident memory) until the process ends.
  explicit AllocationMeter(int64_t limit = 0);
  ~AllocationMeter();
  AllocationMeter(const AllocationMeter&) = delete;
  AllocationMeter& operator=(const AllocationMeter&) = delete;

  /// Bytes allocated under the meter and not yet freed.
  int64_t live() const;
  /// The most `live()` has been since the meter started or `reset_peak()`.
  int64_t peak() const;
  void reset_peak();

 private:
  struct Reporter;
  struct Guard;
  std::shared_ptr<Reporter> reporter_;
  std::unique_ptr<Guard> guard_;
};

/// Bytes this process may still allocate: /proc/meminfo's MemAvailable, or less where a cgroup
/// (v2) memory limit is closer; 0 when neither can be read.
int64_t available_memory_bytes();

/// "58.1 GiB", "312.0 MiB", "4.0 KiB", "12 B".
std::string format_bytes(int64_t bytes);

/// A size as a user writes it: "24G", "24GiB", "512M", "1.5g", "100000000" (bytes); binary
/// units. Anything else, or not > 0, is a ConfigError naming `option`.
int64_t parse_bytes(const std::string& text, const std::string& option);

}  // namespace odenet
