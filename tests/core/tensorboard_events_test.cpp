// TensorBoard event files: CRC-32C against its published check values, the
// record framing, and files that only grow as epochs are added.
#include "core/tensorboard_events.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "tests/support/test_support.h"

namespace odenet {
namespace {

uint64_t read_u64(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[at + i]);
  return v;
}

TEST(TensorboardEvents, Crc32cMatchesItsCheckValues) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);  // the CRC catalogue's check value for CRC-32C
  const std::string zeros(32, '\0'), ones(32, '\xff');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720, B.4
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(TensorboardEvents, ARecordIsLengthCrcPayloadCrc) {
  const std::string payload = "abc";
  const std::string record = tfrecord(payload);
  ASSERT_EQ(record.size(), 8u + 4 + payload.size() + 4);
  EXPECT_EQ(read_u64(record, 0), payload.size());
  EXPECT_EQ(record.substr(12, 3), payload);
}

TEST(TensorboardEvents, AScalarEventEncodesTagAndValue) {
  const std::string event = scalar_event(1.5, 7, {{"test/error", 12.5f}});
  double wall;
  ASSERT_EQ(event[0], '\x09');  // field 1, fixed64
  std::memcpy(&wall, event.data() + 1, 8);
  EXPECT_EQ(wall, 1.5);
  EXPECT_EQ(event.substr(9, 2), std::string("\x10\x07"));  // field 2 (step), varint 7
  EXPECT_NE(event.find("test/error"), std::string::npos);
  float value = 12.5f;
  EXPECT_NE(event.find(std::string("\x15", 1) + std::string(reinterpret_cast<const char*>(&value), 4)), std::string::npos);
}

TEST(TensorboardEvents, TheFileOfMoreEpochsExtendsTheFileOfFewer) {
  std::vector<EpochMetrics> metrics(3);
  for (int i = 0; i < 3; ++i) {
    metrics[i].epoch = i + 1;
    metrics[i].test_error = 50.0 - i;
    metrics[i].epoch_seconds = 10;
    metrics[i].k = {{"stage1.block2", -0.1 * i}};
  }
  const std::string two = tensorboard_events({metrics[0], metrics[1]}, 1000), three = tensorboard_events(metrics, 1000);
  ASSERT_GT(three.size(), two.size());
  EXPECT_EQ(three.substr(0, two.size()), two);
  EXPECT_NE(three.find("k/stage1.block2"), std::string::npos);

  test::ScratchDir dir;
  const std::string first = write_tensorboard_events(dir.path(), {metrics[0]});
  const std::string second = write_tensorboard_events(dir.path(), metrics);
  EXPECT_EQ(first, second);  // one file per run, rewritten
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
  EXPECT_EQ(std::filesystem::path(first).filename().string().rfind("events.out.tfevents.", 0), 0u);
}

}  // namespace
}  // namespace odenet
