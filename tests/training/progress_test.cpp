#include "training/progress.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace odenet {
namespace {

// 2562048h overflowed the clock's nanoseconds and read as "time limit reached" (#31).
TEST(Duration, LongerThanAYearIsAnError) {
  EXPECT_DOUBLE_EQ(parse_duration("8784h"), kMaxDurationSeconds);
  for (const char* text : {"2562048h", "9999999h", "8784h1s"}) {
    try {
      parse_duration(text);
      FAIL() << text;
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("duration '") + text + "' is longer than a year (8784h)");
    }
  }
}

TEST(Duration, ParsesSecondsMinutesHoursAndTheirSums) {
  EXPECT_DOUBLE_EQ(parse_duration("90"), 90);
  EXPECT_DOUBLE_EQ(parse_duration("90s"), 90);
  EXPECT_DOUBLE_EQ(parse_duration("9m"), 540);
  EXPECT_DOUBLE_EQ(parse_duration("1h30m"), 5400);
  EXPECT_DOUBLE_EQ(parse_duration("1.5h"), 5400);
  EXPECT_DOUBLE_EQ(parse_duration("0"), 0);
  for (const char* bad : {"", "m", "9x", "-5m", "inf", "5 m"}) EXPECT_THROW(parse_duration(bad), ConfigError) << bad;
  EXPECT_EQ(format_duration(5400), "1h30m");
  EXPECT_EQ(format_duration(0.3), "0.3s");
  EXPECT_EQ(format_duration(42), "42s");
}

}  // namespace
}  // namespace odenet
