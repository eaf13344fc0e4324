#include "core/allocation_meter.h"

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "core/error.h"

namespace odenet {

MemoryLimitExceeded::MemoryLimitExceeded(int64_t live, int64_t limit)
    : std::runtime_error(fmt::format("allocations reached {}, past the limit of {}", format_bytes(live), format_bytes(limit))),
      live_(live),
      limit_(limit) {}

// c10 reports every CPU allocation and free (alloc_size < 0) to the thread's reporter while
// memoryProfilingEnabled() is true. Frees of blocks allocated before the meter are not ours.
struct AllocationMeter::Reporter : c10::MemoryReportingInfoBase {
  explicit Reporter(int64_t limit) : limit(limit) {}

  void reportMemoryUsage(void* ptr, int64_t alloc_size, int64_t, int64_t, c10::Device device) override {
    if (device.type() != c10::DeviceType::CPU || alloc_size == 0) return;
    std::lock_guard<std::mutex> lock(mutex);
    if (alloc_size > 0) {
      sizes[ptr] = alloc_size;
      live += alloc_size;
      peak = std::max(peak, live);
      if (limit > 0 && live > limit) {
        const int64_t reached = live;
        sizes.erase(ptr);  // the allocation fails: its free is never reported
        live -= alloc_size;
        throw MemoryLimitExceeded(reached, limit);
      }
      return;
    }
    auto found = sizes.find(ptr);
    if (found == sizes.end()) return;
    live -= found->second;
    sizes.erase(found);
  }
  bool memoryProfilingEnabled() const override { return true; }

  const int64_t limit;
  mutable std::mutex mutex;
  std::unordered_map<void*, int64_t> sizes;
  int64_t live = 0, peak = 0;
};

struct AllocationMeter::Guard {
  explicit Guard(std::shared_ptr<Reporter> reporter) : guard(c10::DebugInfoKind::PROFILER_STATE, std::move(reporter)) {}
  c10::DebugInfoGuard guard;
};

AllocationMeter::AllocationMeter(int64_t limit)
    : reporter_(std::make_shared<Reporter>(limit)), guard_(std::make_unique<Guard>(reporter_)) {}

AllocationMeter::~AllocationMeter() = default;

int64_t AllocationMeter::live() const {
  std::lock_guard<std::mutex> lock(reporter_->mutex);
  return reporter_->live;
}

int64_t AllocationMeter::peak() const {
  std::lock_guard<std::mutex> lock(reporter_->mutex);
  return reporter_->peak;
}

void AllocationMeter::reset_peak() {
  std::lock_guard<std::mutex> lock(reporter_->mutex);
  reporter_->peak = reporter_->live;
}

namespace {

// The first number on `path`'s line starting with `key`, times `scale`; -1 when absent.
int64_t read_field(const std::string& path, const std::string& key, int64_t scale) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.compare(0, key.size(), key) == 0) {
      std::istringstream fields(line.substr(key.size()));
      int64_t value = -1;
      if (fields >> value) return value * scale;
    }
  return -1;
}

// A cgroup v2 file holding one number or "max"; -1 for "max" or when unreadable.
int64_t read_cgroup_value(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return -1;
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

int64_t available_memory_bytes() {
  int64_t available = read_field("/proc/meminfo", "MemAvailable:", 1024);
  const int64_t limit = read_cgroup_value("/sys/fs/cgroup/memory.max");
  const int64_t used = read_cgroup_value("/sys/fs/cgroup/memory.current");
  if (limit > 0 && used >= 0) {
    const int64_t left = std::max<int64_t>(0, limit - used);
    available = available < 0 ? left : std::min(available, left);
  }
  return std::max<int64_t>(0, available);
}

std::string format_bytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (std::abs(value) >= 1024 && unit < 4) value /= 1024, ++unit;
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

int64_t parse_bytes(const std::string& text, const std::string& option) {
  size_t end = 0;
  double number = 0;
  try {
    number = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();  // "gb", "gib", "b" → "g", "gi", ""
  if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();
  const std::string units = "kmgt";
  const auto power = unit.empty() ? std::string::npos : units.find(unit);
  if (end == 0 || !(number > 0) || (unit.size() > 1) || (!unit.empty() && power == std::string::npos))
    throw ConfigError(fmt::format("{}: '{}' is not a size (e.g. 24G, 512M, 1.5GiB)", option, text));
  const double bytes = number * std::pow(1024.0, unit.empty() ? 0 : static_cast<double>(power + 1));
  if (bytes < 1 || bytes > 9.0e18) throw ConfigError(fmt::format("{}: '{}' is out of range", option, text));
  return static_cast<int64_t>(bytes);
}

}  // namespace odenet
