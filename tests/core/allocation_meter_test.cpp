#include "core/allocation_meter.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(AllocationMeter, LiveAndPeakBytesOfThisThread) {
  AllocationMeter meter;
  {
    auto a = torch::empty({1000}, torch::kFloat32);
    auto b = torch::empty({500}, torch::kFloat64);
    EXPECT_EQ(meter.live(), 4000 + 4000);
    std::thread([] { auto elsewhere = torch::empty({100000}); }).join();  // another thread: not metered
    EXPECT_EQ(meter.peak(), 8000);
  }
  EXPECT_EQ(meter.live(), 0);
  EXPECT_EQ(meter.peak(), 8000);
  meter.reset_peak();
  EXPECT_EQ(meter.peak(), 0);
}

TEST(AllocationMeter, FreesOfBlocksFromBeforeTheMeterAreNotCounted) {
  auto before = torch::empty({1000});
  AllocationMeter meter;
  auto during = torch::empty({10});
  before = torch::Tensor();
  EXPECT_EQ(meter.live(), 40);
}

TEST(AllocationMeter, ALimitRefusesTheAllocationThatPassesIt) {
  AllocationMeter meter(1 << 20);
  auto kept = torch::empty({100000});  // 400 kB: under the limit
  try {
    auto refused = torch::zeros({1 << 20});  // 4 MiB: refused before it is written
    FAIL() << "no exception";
  } catch (const MemoryLimitExceeded& e) {
    EXPECT_EQ(e.limit(), 1 << 20);
    EXPECT_EQ(e.live(), 400000 + (4 << 20));
  }
  EXPECT_EQ(meter.live(), 400000);  // the refused block is not counted as live
  auto more = torch::empty({1000});  // and allocations under the limit go on
  EXPECT_EQ(meter.live(), 404000);
}

TEST(AllocationMeter, SizesAsUsersWriteThem) {
  EXPECT_EQ(parse_bytes("24G", "--memory-limit"), 24LL << 30);
  EXPECT_EQ(parse_bytes("24GiB", "--memory-limit"), 24LL << 30);
  EXPECT_EQ(parse_bytes("512mb", "--memory-limit"), 512LL << 20);
  EXPECT_EQ(parse_bytes("1.5k", "--memory-limit"), 1536);
  EXPECT_EQ(parse_bytes("100000000", "--memory-limit"), 100000000);
  EXPECT_EQ(parse_bytes("7B", "--memory-limit"), 7);
  for (const char* bad : {"", "G", "-1G", "0", "24X", "24GG", "nan", "1e30T"})
    EXPECT_THROW(parse_bytes(bad, "--memory-limit"), ConfigError) << bad;
  EXPECT_EQ(test::error_message<ConfigError>([] { parse_bytes("24X", "--memory-limit"); }),
            "--memory-limit: '24X' is not a size (e.g. 24G, 512M, 1.5GiB)");
  EXPECT_EQ(format_bytes(12), "12 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(58LL << 30), "58.0 GiB");
  EXPECT_GT(available_memory_bytes(), 0);
}

}  // namespace
}  // namespace odenet
