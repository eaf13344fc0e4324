#include "training/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace odenet {
namespace {

TEST(LrSchedule, MultistepDividesAtMilestones) {
  ScheduleOptions s;
  s.milestones = {80, 120};
  EXPECT_DOUBLE_EQ(learning_rate(s, 0.1, 79.9, 160), 0.1);
  EXPECT_NEAR(learning_rate(s, 0.1, 80.0, 160), 0.01, 1e-15);
  EXPECT_NEAR(learning_rate(s, 0.1, 159.5, 160), 0.001, 1e-15);
}

TEST(LrSchedule, CosineWithWarmup) {
  ScheduleOptions s;
  s.kind = ScheduleKind::kCosine;
  s.warmup_epochs = 2;
  EXPECT_DOUBLE_EQ(learning_rate(s, 0.1, 1.0, 10), 0.05);
  EXPECT_DOUBLE_EQ(learning_rate(s, 0.1, 2.0, 10), 0.1);
  EXPECT_NEAR(learning_rate(s, 0.1, 6.0, 10), 0.05, 1e-12);
  EXPECT_NEAR(learning_rate(s, 0.1, 10.0, 10), 0.0, 1e-12);
}

}  // namespace
}  // namespace odenet
