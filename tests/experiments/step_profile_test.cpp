#include "experiments/step_profile.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(StepProfile, FoldsNestedEventsIntoSelfAndTotalTime) {
  test::ScratchDir dir;
  // step [0, 100) holds conv [10, 40) and add [50, 60); conv holds empty [12, 14); another thread's add [0, 5).
  test::write_text(dir / "t.json", R"([
    {"name": "step", "ph": "X", "ts": 0, "dur": 100, "tid": 1},
    {"name": "conv", "ph": "X", "ts": 10, "dur": 30, "tid": 1},
    {"name": "empty", "ph": "X", "ts": 12, "dur": 2, "tid": 1},
    {"name": "add", "ph": "X", "ts": 50, "dur": 10, "tid": 1},
    {"name": "add", "ph": "X", "ts": 0, "dur": 5, "tid": 2},
    {"name": "marker", "ph": "i", "ts": 3, "tid": 1}])");
  auto ops = fold_trace(dir / "t.json");
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[0].name, "step");  // largest self time first: 100 − 30 − 10 µs
  EXPECT_DOUBLE_EQ(ops[0].self_ms, 0.060);
  EXPECT_DOUBLE_EQ(ops[0].total_ms, 0.100);
  EXPECT_EQ(ops[1].name, "conv");
  EXPECT_DOUBLE_EQ(ops[1].self_ms, 0.028);
  EXPECT_EQ(ops[2].name, "add");
  EXPECT_DOUBLE_EQ(ops[2].self_ms, 0.015);
  EXPECT_EQ(ops[2].calls, 2);
  test::write_text(dir / "bad.json", "[{");
  EXPECT_THROW(fold_trace(dir / "bad.json"), DataError);
}

}  // namespace
}  // namespace odenet
