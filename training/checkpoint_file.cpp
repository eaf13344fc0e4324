#include "training/checkpoint_file.h"

#include <fmt/format.h>
#include <zlib.h>

#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "core/error.h"

namespace odenet {
namespace {

constexpr const char* kMagic = "ODENET-CHECKPOINT-1 ";

uint32_t crc32_of(const std::string& bytes, size_t begin) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t at = begin; at < bytes.size();) {  // zlib takes 32-bit lengths
    const size_t n = std::min<size_t>(bytes.size() - at, 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(n));
    at += n;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

std::string text_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

void write_checkpoint_file(const std::string& path, const std::string& payload, const nlohmann::json& identity) {
  nlohmann::json header{{"bytes", payload.size()}, {"crc32", crc32_of(payload, 0)}, {"identity", identity}};
  write_file_atomic(path, kMagic + header.dump() + "\n" + payload);
}

std::string read_checkpoint_file(const std::string& path, nlohmann::json& identity) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open checkpoint");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  identity = nullptr;
  const std::string magic(kMagic);
  if (bytes.compare(0, magic.size(), magic) != 0) {
    if (bytes.compare(0, 2, "PK") == 0) return bytes;  // a bare archive from before the container
    throw DataError(path + ": not an odenet checkpoint");
  }
  const size_t newline = bytes.find('\n');
  if (newline == std::string::npos) throw DataError(path + ": damaged checkpoint (header has no end)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(magic.size(), newline - magic.size()));
  } catch (const nlohmann::json::exception&) {
    throw DataError(path + ": damaged checkpoint (malformed header)");
  }
  if (!header.contains("bytes") || !header["bytes"].is_number_unsigned() || !header.contains("crc32") ||
      !header["crc32"].is_number_unsigned())
    throw DataError(path + ": damaged checkpoint (header lacks size or checksum)");
  const size_t expected = header["bytes"].get<size_t>(), actual = bytes.size() - newline - 1;
  if (actual != expected)
    throw DataError(fmt::format("{}: damaged checkpoint: {} bytes of data where the header promises {}", path, actual, expected));
  const uint32_t crc = crc32_of(bytes, newline + 1);
  if (crc != header["crc32"].get<uint32_t>())
    throw DataError(fmt::format("{}: damaged checkpoint: CRC-32 {:08x} where the header records {:08x}", path, crc,
                                header["crc32"].get<uint32_t>()));
  identity = header.value("identity", nlohmann::json());
  return bytes.substr(newline + 1);
}

nlohmann::json read_checkpoint_identity(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  const std::string magic(kMagic);
  if (!in || !std::getline(in, line) || line.compare(0, magic.size(), magic) != 0) return nullptr;
  const auto header = nlohmann::json::parse(line.substr(magic.size()), nullptr, /*allow_exceptions=*/false);
  return header.is_object() && header.contains("identity") ? header["identity"] : nlohmann::json();
}

}  // namespace odenet
