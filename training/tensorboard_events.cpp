#include "training/tensorboard_events.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.h"

namespace odenet {

uint32_t crc32c(const char* data, size_t size) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ static_cast<uint8_t>(data[i])) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

namespace {

uint32_t masked_crc(const std::string& bytes) {
  uint32_t c = crc32c(bytes.data(), bytes.size());
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

template <typename T>
std::string little_endian(T value) {  // x86 and ARM Linux are little-endian; spelled out anyway
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((static_cast<uint64_t>(value) >> (8 * i)) & 0xFF);
  return out;
}

// Protobuf wire format: a key is (field << 3 | wire type); 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
std::string varint(uint64_t v) {
  std::string out;
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    out += static_cast<char>(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}
std::string key(int field, int wire_type) { return varint(static_cast<uint64_t>(field) << 3 | wire_type); }
std::string length_delimited(int field, const std::string& bytes) { return key(field, 2) + varint(bytes.size()) + bytes; }
// A double's 8 bytes as protobuf stores them (fixed64 fields, packed repeated doubles).
std::string double_bytes(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return little_endian(bits);
}
std::string fixed64_double(int field, double v) { return key(field, 1) + double_bytes(v); }
std::string fixed32_float(int field, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return key(field, 5) + little_endian(bits);
}

// Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
// Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
std::string version_event(double wall_time) {
  return fixed64_double(1, wall_time) + key(2, 0) + varint(0) + length_delimited(3, "brain.Event:2");
}

// google.protobuf.Value { double number_value = 2; string string_value = 3; bool bool_value = 4; }
std::string protobuf_value(const nlohmann::json& v) {
  if (v.is_boolean()) return key(4, 0) + varint(v.get<bool>() ? 1 : 0);
  if (v.is_number()) return fixed64_double(2, v.get<double>());
  return length_delimited(3, v.is_string() ? v.get<std::string>() : v.dump());
}

// Summary.Value { string tag = 1; SummaryMetadata metadata = 9; ... } with
// SummaryMetadata { PluginData plugin_data = 1; }, PluginData { string plugin_name = 1; bytes content = 2; }.
std::string plugin_value(const std::string& tag, const std::string& plugin, const std::string& content,
                         const std::string& value = "") {
  return length_delimited(1, tag) + length_delimited(9, length_delimited(1, length_delimited(1, plugin) + length_delimited(2, content))) +
         value;
}

std::string summary_event(double wall_time, int64_t step, const std::string& values) {
  return fixed64_double(1, wall_time) + key(2, 0) + varint(static_cast<uint64_t>(step)) + length_delimited(5, values);
}

// The HParams plugin (tensorboard/plugins/hparams/plugin_data.proto): HParamsPluginData {
// int32 version = 1; SessionStartInfo session_start_info = 3; SessionEndInfo session_end_info = 4; }
// SessionStartInfo { map<string, Value> hparams = 1; string group_name = 4; double start_time_secs = 5; }
// SessionEndInfo { Status status = 1 (1: success); double end_time_secs = 2; }
std::string session_start(const TensorboardHeader& header, double start_time) {
  std::string info;
  for (const auto& [name, value] : header.hparams)
    info += length_delimited(1, length_delimited(1, name) + length_delimited(2, protobuf_value(value)));
  info += length_delimited(4, header.group) + fixed64_double(5, start_time);
  const std::string data = key(1, 0) + varint(0) + length_delimited(3, info);
  return length_delimited(1, plugin_value("_hparams_/session_start_info", "hparams", data));
}
std::string session_end(double end_time) {
  const std::string data = key(1, 0) + varint(0) + length_delimited(4, key(1, 0) + varint(1) + fixed64_double(2, end_time));
  return length_delimited(1, plugin_value("_hparams_/session_end_info", "hparams", data));
}

// The text plugin: TensorProto { DataType dtype = 1 (7: DT_STRING); TensorShapeProto tensor_shape = 2
// (empty: a scalar); repeated bytes string_val = 8; }.
std::string text_value(const std::string& tag, const std::string& text) {
  const std::string tensor = key(1, 0) + varint(7) + length_delimited(2, "") + length_delimited(8, text);
  return length_delimited(1, plugin_value(tag, "text", "", length_delimited(8, tensor)));
}

// HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
// repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; } in Summary.Value.histo = 5.
std::string histogram_value(const std::string& tag, const std::vector<double>& values) {
  const double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
  const int bins = lo == hi ? 1 : 30;
  std::vector<double> counts(bins, 0.0);
  double sum = 0, squares = 0;
  for (double v : values) {
    const int b = lo == hi ? 0 : std::min(bins - 1, static_cast<int>((v - lo) / (hi - lo) * bins));
    counts[b] += 1, sum += v, squares += v * v;
  }
  std::string limits, buckets;
  for (int b = 0; b < bins; ++b) {
    const double limit = lo == hi ? hi : lo + (hi - lo) * (b + 1) / bins;
    limits += double_bytes(limit);
    buckets += double_bytes(counts[b]);
  }
  const std::string histo = fixed64_double(1, lo) + fixed64_double(2, hi) + fixed64_double(3, static_cast<double>(values.size())) +
                            fixed64_double(4, sum) + fixed64_double(5, squares) + length_delimited(6, limits) +
                            length_delimited(7, buckets);
  return length_delimited(1, length_delimited(1, tag) + length_delimited(5, histo));
}

const char* kPrefix = "events.out.tfevents.";
const char* kSuffix = ".odenet";

}  // namespace

std::string tfrecord(const std::string& payload) {
  const std::string length = little_endian<uint64_t>(payload.size());
  return length + little_endian(masked_crc(length)) + payload + little_endian(masked_crc(payload));
}

std::string scalar_event(double wall_time, int64_t step, const std::vector<std::pair<std::string, float>>& scalars) {
  std::string summary;
  for (const auto& [tag, value] : scalars) summary += length_delimited(1, length_delimited(1, tag) + fixed32_float(2, value));
  return summary_event(wall_time, step, summary);
}

std::string tensorboard_events(const std::vector<EpochMetrics>& metrics, double start_time, const TensorboardHeader& header) {
  std::string file = tfrecord(version_event(start_time));
  if (!header.hparams.empty() || !header.group.empty()) file += tfrecord(summary_event(start_time, 0, session_start(header, start_time)));
  if (!header.text.empty()) file += tfrecord(summary_event(start_time, 0, text_value("run", header.text)));
  double wall = start_time;
  for (const auto& m : metrics) {
    wall += m.epoch_seconds;
    std::vector<std::pair<std::string, float>> scalars{{"train/loss", m.train_loss},
                                                       {"train/error", m.train_error},
                                                       {"test/loss", m.test_loss},
                                                       {"test/error", m.test_error},
                                                       {"lr", m.lr},
                                                       {"images_per_second", m.images_per_second}};
    if (m.test_top5_error) scalars.emplace_back("test/top5_error", static_cast<float>(*m.test_top5_error));
    for (const auto& [step, k] : m.k) scalars.emplace_back("k/" + step, static_cast<float>(k));
    file += tfrecord(scalar_event(wall, m.epoch, scalars));
    std::string histograms;
    for (const auto& [step, values] : m.k_channels)
      if (!values.empty()) histograms += histogram_value("k_channels/" + step, values);
    if (!histograms.empty()) file += tfrecord(summary_event(wall, m.epoch, histograms));
    for (const auto& r : m.steps)
      file += tfrecord(scalar_event(wall, r.step, {{"step/train_loss", static_cast<float>(r.loss)}, {"step/lr", static_cast<float>(r.lr)}}));
  }
  if (header.finished) file += tfrecord(summary_event(wall, metrics.empty() ? 0 : metrics.back().epoch, session_end(wall)));
  return file;
}

std::string write_tensorboard_events(const std::string& dir, const std::vector<EpochMetrics>& metrics,
                                     const TensorboardHeader& header) {
  namespace fs = std::filesystem;
  std::string name;
  double start = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(kPrefix, 0) != 0 || file.size() <= std::strlen(kSuffix) ||
        file.compare(file.size() - std::strlen(kSuffix), std::string::npos, kSuffix) != 0)
      continue;
    try {
      start = std::stod(file.substr(std::strlen(kPrefix)));
      name = file;
    } catch (const std::exception&) {  // not one of ours
    }
  }
  if (name.empty()) {
    start = static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    name = kPrefix + std::to_string(static_cast<int64_t>(start)) + kSuffix;
  }
  const std::string path = dir + "/" + name;
  write_file_atomic(path, tensorboard_events(metrics, start, header));
  return path;
}

}  // namespace odenet
