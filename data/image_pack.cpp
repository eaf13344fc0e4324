#include "data/image_pack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/image_codec.h"
#include "data/jpeg_crop.h"

namespace odenet {
namespace {

constexpr char kPackMagic[8] = {'O', 'D', 'N', 'P', 'A', 'C', 'K', '1'};
constexpr size_t kRecordBytes = 8 + 4 + 4 + 4 + 4;

// Reads exactly `n` bytes at `offset`; a short read is a DataError naming the pack.
void read_at(int fd, void* dst, size_t n, uint64_t offset, const std::string& path) {
  auto* out = static_cast<char*>(dst);
  while (n > 0) {
    const ssize_t got = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) throw DataError(fmt::format("{}: truncated pack (reading {} bytes at {})", path, n, offset));
    out += got, n -= static_cast<size_t>(got), offset += static_cast<uint64_t>(got);
  }
}

template <typename T>
T take(const std::vector<char>& bytes, size_t& at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  at += sizeof value;
  return value;
}

// One image as the pack stores it: the file's own bytes, or decoded, downscaled and encoded again.
std::vector<uint8_t> packed_bytes(const EncodedImages& images, int64_t i, const PackOptions& o, bool& reencoded) {
  std::vector<uint8_t> bytes;
  images.read(i, bytes);
  const int64_t h = images.heights[i], w = images.widths[i], longer = std::max(h, w);
  reencoded = !is_jpeg(bytes) || longer > o.max_side;
  if (!reencoded) return bytes;
  if (longer <= o.max_side) return encode_jpeg(decode_image(bytes, images.name(i)), o.quality);  // a PNG
  const double scale = static_cast<double>(o.max_side) / static_cast<double>(longer);
  const int64_t small_h = std::max<int64_t>(1, std::lround(h * scale)), small_w = std::max<int64_t>(1, std::lround(w * scale));
  return encode_jpeg(decode_resized_crop(bytes, images.name(i), {0, 0, h, w}, small_h, small_w), o.quality);
}

struct Record {
  uint64_t offset;
  uint32_t length;
  int32_t label, height, width;
};

// One image as packed_bytes made it, or the error it raised.
struct Packed {
  std::vector<uint8_t> bytes;
  bool reencoded = false;
  std::exception_ptr error;
};

// Images [first, last) packed on `o.threads` threads.
std::vector<Packed> pack_chunk(const EncodedImages& images, int64_t first, int64_t last, const PackOptions& o) {
  std::vector<Packed> out(static_cast<size_t>(last - first));
  std::atomic<int64_t> next{first};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, o.threads); ++t)
    pool.emplace_back([&] {
      for (int64_t i; (i = next++) < last;) {
        Packed& p = out[static_cast<size_t>(i - first)];
        try {
          p.bytes = packed_bytes(images, i, o, p.reencoded);
        } catch (...) {
          p.error = std::current_exception();
        }
      }
    });
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace

std::string image_pack_path(const std::string& root, const std::string& split) { return root + "/" + split + ".odenet-pack"; }

ImagePack::ImagePack(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw DataError(path_ + ": cannot open pack: " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd_, &st);
  const auto file_size = static_cast<uint64_t>(st.st_size);
  std::vector<char> head(32);
  read_at(fd_, head.data(), head.size(), 0, path_);
  if (std::memcmp(head.data(), kPackMagic, sizeof kPackMagic) != 0) throw DataError(path_ + ": not an odenet pack");
  size_t at = 8;
  const auto count = take<uint64_t>(head, at), classes = take<uint64_t>(head, at), index = take<uint64_t>(head, at);
  if (index > file_size || count > (file_size - index) / kRecordBytes || classes > file_size)
    throw DataError(fmt::format("{}: damaged or truncated pack ({} images indexed at byte {} of {})", path_, count, index, file_size));
  std::vector<char> table(static_cast<size_t>(count * kRecordBytes));
  read_at(fd_, table.data(), table.size(), index, path_);
  uint64_t names_end = 32;
  for (uint64_t c = 0; c < classes; ++c) {
    std::vector<char> length(4);
    read_at(fd_, length.data(), 4, names_end, path_);
    size_t l = 0;
    const auto n = take<uint32_t>(length, l);
    if (names_end + 4 + n > index) throw DataError(path_ + ": damaged pack (class names)");
    std::string name(n, '\0');
    read_at(fd_, name.data(), n, names_end + 4, path_);
    class_names.push_back(std::move(name));
    names_end += 4 + n;
  }
  at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const Record r{take<uint64_t>(table, at), take<uint32_t>(table, at), take<int32_t>(table, at), take<int32_t>(table, at),
                   take<int32_t>(table, at)};
    if (r.offset < names_end || r.offset + r.length > index || r.label < 0 || static_cast<uint64_t>(r.label) >= classes ||
        r.height < 1 || r.width < 1)
      throw DataError(fmt::format("{}: damaged pack (record {} of {})", path_, i, count));
    offsets_.push_back(r.offset), lengths_.push_back(r.length);
    labels.push_back(r.label), heights.push_back(r.height), widths.push_back(r.width);
  }
}

ImagePack::~ImagePack() {
  if (fd_ >= 0) ::close(fd_);
}

void ImagePack::read(int64_t i, std::vector<uint8_t>& bytes) const {
  bytes.resize(lengths_[static_cast<size_t>(i)]);
  read_at(fd_, bytes.data(), bytes.size(), offsets_[static_cast<size_t>(i)], path_);
}

std::string ImagePack::name(int64_t i) const { return fmt::format("{} (image {})", path_, i); }

PackSummary write_image_pack(const EncodedImages& images, const std::string& path, const PackOptions& o,
                             const std::function<void(int64_t, int64_t)>& progress) {
  PackSummary summary;
  const int64_t n = images.size();
  replace_file_atomic(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(tmp + ": cannot create: " + std::strerror(errno));
    auto write = [&](const void* data, size_t size) {
      if (std::fwrite(data, 1, size, f) != size) {
        std::fclose(f);
        throw Error(tmp + ": cannot write (disk full?)");
      }
    };
    auto write_u = [&](auto v) { write(&v, sizeof v); };
    std::string header(32, '\0');
    write(header.data(), header.size());  // filled in at the end
    for (const auto& name : images.class_names) write_u(static_cast<uint32_t>(name.size())), write(name.data(), name.size());
    uint64_t offset = 32;
    for (const auto& name : images.class_names) offset += 4 + name.size();
    std::vector<Record> records;
    const int64_t chunk = 16 * std::max(1, o.threads);
    for (int64_t first = 0; first < n; first += chunk) {  // encoded in parallel, written in order
      const int64_t last = std::min(n, first + chunk);
      std::vector<Packed> out = pack_chunk(images, first, last, o);
      for (int64_t i = first; i < last; ++i) {
        Packed& p = out[static_cast<size_t>(i - first)];
        if (p.error) std::fclose(f), std::rethrow_exception(p.error);
        const auto [h, w] = image_size(p.bytes, images.name(i));
        records.push_back({offset, static_cast<uint32_t>(p.bytes.size()), static_cast<int32_t>(images.labels[i]),
                           static_cast<int32_t>(h), static_cast<int32_t>(w)});
        write(p.bytes.data(), p.bytes.size());
        offset += p.bytes.size();
        summary.reencoded += p.reencoded;
      }
      if (progress) progress(last, n);
    }
    for (const auto& r : records) write_u(r.offset), write_u(r.length), write_u(r.label), write_u(r.height), write_u(r.width);
    std::memcpy(header.data(), kPackMagic, 8);
    const uint64_t fields[3] = {static_cast<uint64_t>(n), images.class_names.size(), offset};
    std::memcpy(header.data() + 8, fields, sizeof fields);
    summary.bytes = offset + records.size() * kRecordBytes;
    if (std::fseek(f, 0, SEEK_SET) != 0) std::fclose(f), throw Error(tmp + ": cannot seek");
    write(header.data(), header.size());
    if (std::fclose(f) != 0) throw Error(tmp + ": cannot write (disk full?)");
  });
  summary.images = n;
  return summary;
}

}  // namespace odenet
