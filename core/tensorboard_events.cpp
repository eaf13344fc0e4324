#include "core/tensorboard_events.h"

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
std::string fixed64_double(int field, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return key(field, 1) + little_endian(bits);
}
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
  return fixed64_double(1, wall_time) + key(2, 0) + varint(static_cast<uint64_t>(step)) + length_delimited(5, summary);
}

std::string tensorboard_events(const std::vector<EpochMetrics>& metrics, double start_time) {
  std::string file = tfrecord(version_event(start_time));
  double wall = start_time;
  for (const auto& m : metrics) {
    wall += m.epoch_seconds;
    std::vector<std::pair<std::string, float>> scalars{{"train/loss", m.train_loss},
                                                       {"train/error", m.train_error},
                                                       {"test/loss", m.test_loss},
                                                       {"test/error", m.test_error},
                                                       {"lr", m.lr},
                                                       {"images_per_second", m.images_per_second}};
    for (const auto& [step, k] : m.k) scalars.emplace_back("k/" + step, static_cast<float>(k));
    file += tfrecord(scalar_event(wall, m.epoch, scalars));
  }
  return file;
}

std::string write_tensorboard_events(const std::string& dir, const std::vector<EpochMetrics>& metrics) {
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
  write_file_atomic(path, tensorboard_events(metrics, start));
  return path;
}

}  // namespace odenet
