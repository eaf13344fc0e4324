// TensorBoard event files: CRC-32C against its published check values, the
// record framing, and files that only grow as epochs are added.
#include "training/tensorboard_events.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <filesystem>

#include "tests/support/test_support.h"

namespace odenet {
namespace {

uint64_t read_u64(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[at + i]);
  return v;
}

// A protobuf message by wire format: field number → values (a varint as `number`, fixed64 and
// length-delimited fields as their bytes).
struct WireField {
  uint64_t number = 0;
  std::string bytes;
};
std::multimap<int, WireField> decode(const std::string& m) {
  std::multimap<int, WireField> out;
  size_t at = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(m.at(at++));
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return v;
    }
  };
  while (at < m.size()) {
    const uint64_t key = varint();
    WireField f;
    switch (key & 7) {
      case 0: f.number = varint(); break;
      case 1: f.bytes = m.substr(at, 8), at += 8; break;
      case 5: f.bytes = m.substr(at, 4), at += 4; break;
      case 2: {
        const uint64_t n = varint();
        f.bytes = m.substr(at, n), at += n;
        break;
      }
      default: throw std::runtime_error("unexpected wire type " + std::to_string(key & 7));
    }
    out.emplace(static_cast<int>(key >> 3), f);
  }
  return out;
}
std::string only(const std::multimap<int, WireField>& m, int field) {
  EXPECT_EQ(m.count(field), 1u) << "field " << field;
  return m.count(field) ? m.find(field)->second.bytes : "";
}
double as_double(const std::string& bytes) {
  double v;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}
float as_float(const std::string& bytes) {
  float v;
  std::memcpy(&v, bytes.data(), 4);
  return v;
}
// The payloads of a file's TFRecords.
std::vector<std::string> payloads(const std::string& file) {
  std::vector<std::string> out;
  for (size_t at = 0; at < file.size();) {
    const uint64_t n = read_u64(file, at);
    out.push_back(file.substr(at + 12, n));
    at += 12 + n + 4;
  }
  return out;
}
// Summary values (tag → Summary.Value fields) and the step of each event.
std::vector<std::pair<int64_t, std::multimap<int, WireField>>> summary_values(const std::string& file) {
  std::vector<std::pair<int64_t, std::multimap<int, WireField>>> out;
  for (const auto& payload : payloads(file)) {
    const auto event = decode(payload);
    if (!event.count(5)) continue;
    const int64_t step = event.count(2) ? static_cast<int64_t>(event.find(2)->second.number) : 0;
    const auto summary = decode(event.find(5)->second.bytes);
    for (auto [it, end] = summary.equal_range(1); it != end; ++it) out.emplace_back(step, decode(it->second.bytes));
  }
  return out;
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

// Read back by wire format: the HParams session (hparams map, group, end status), the provenance
// text, a per-step loss record and a histogram of per-channel k, as TensorBoard's protos define them.
TEST(TensorboardEvents, HparamsStepRecordsAndHistogramsReadBack) {
  EpochMetrics m;
  m.epoch = 1;
  m.epoch_seconds = 5;
  m.steps = {{10, 2.25, 0.1}, {20, 1.5, 0.1}};
  m.k_channels = {{"stage1.block2", {-0.2, -0.1, 0.0, 0.3}}};
  m.test_top5_error = 7.25;
  TensorboardHeader header;
  header.hparams = {{"model.scheme", "linear_multistep"}, {"model.depth", 14}, {"train.optimizer.nesterov", true}};
  header.group = "e/lm";
  header.text = "odenet 0.5.0 (source commit abc)";
  header.finished = true;
  const auto values = summary_values(tensorboard_events({m}, 1000, header));
  std::map<std::string, std::vector<std::pair<int64_t, std::multimap<int, WireField>>>> by_tag;
  for (const auto& [step, value] : values) by_tag[only(value, 1)].push_back({step, value});

  // _hparams_/session_start_info: metadata.plugin_data {plugin_name "hparams", content HParamsPluginData}.
  ASSERT_EQ(by_tag["_hparams_/session_start_info"].size(), 1u);
  const auto plugin = decode(only(decode(only(by_tag["_hparams_/session_start_info"][0].second, 9)), 1));
  EXPECT_EQ(only(plugin, 1), "hparams");
  const auto start = decode(only(decode(only(plugin, 2)), 3));
  EXPECT_EQ(only(start, 4), "e/lm");
  std::map<std::string, std::multimap<int, WireField>> hparams;
  for (auto [it, end] = start.equal_range(1); it != end; ++it) {
    const auto entry = decode(it->second.bytes);
    hparams[only(entry, 1)] = decode(only(entry, 2));
  }
  ASSERT_EQ(hparams.size(), 3u);
  EXPECT_EQ(only(hparams["model.scheme"], 3), "linear_multistep");  // string_value
  EXPECT_EQ(as_double(only(hparams["model.depth"], 2)), 14.0);       // number_value
  EXPECT_EQ(hparams["train.optimizer.nesterov"].find(4)->second.number, 1u);  // bool_value

  ASSERT_EQ(by_tag["_hparams_/session_end_info"].size(), 1u);
  const auto end_plugin = decode(only(decode(only(by_tag["_hparams_/session_end_info"][0].second, 9)), 1));
  EXPECT_EQ(decode(only(decode(only(end_plugin, 2)), 4)).find(1)->second.number, 1u);  // STATUS_SUCCESS

  ASSERT_EQ(by_tag["run"].size(), 1u);  // the text plugin: TensorProto {dtype 7 (DT_STRING), string_val}
  const auto tensor = decode(only(by_tag["run"][0].second, 8));
  EXPECT_EQ(tensor.find(1)->second.number, 7u);
  EXPECT_EQ(only(tensor, 8), header.text);

  ASSERT_EQ(by_tag["step/train_loss"].size(), 2u);
  EXPECT_EQ(by_tag["step/train_loss"][1].first, 20);
  EXPECT_EQ(as_float(only(by_tag["step/train_loss"][1].second, 2)), 1.5f);
  EXPECT_EQ(by_tag["step/lr"].size(), 2u);

  ASSERT_EQ(by_tag["test/top5_error"].size(), 1u);  // beside test/error, for more than 5 classes
  EXPECT_EQ(as_float(only(by_tag["test/top5_error"][0].second, 2)), 7.25f);

  ASSERT_EQ(by_tag["k_channels/stage1.block2"].size(), 1u);
  const auto histo = decode(only(by_tag["k_channels/stage1.block2"][0].second, 5));
  EXPECT_EQ(as_double(only(histo, 1)), -0.2);
  EXPECT_EQ(as_double(only(histo, 2)), 0.3);
  EXPECT_EQ(as_double(only(histo, 3)), 4.0);  // num
  const std::string buckets = only(histo, 7);
  double total = 0;
  for (size_t at = 0; at < buckets.size(); at += 8) total += as_double(buckets.substr(at, 8));
  EXPECT_EQ(total, 4.0);
}

}  // namespace
}  // namespace odenet
