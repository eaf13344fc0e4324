#include "data/idx_reader.h"

#include <fmt/format.h>
#include <zlib.h>

#include <filesystem>
#include <memory>

#include "core/error.h"

namespace odenet {
namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

// Reads the whole (decompressed) file.
std::vector<uint8_t> read_all(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw DataError(path + ": no such file");
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f) throw DataError(path + ": cannot open");
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  while (true) {
    int n = gzread(f.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      throw DataError(path + ": corrupt or truncated gzip stream (" + gzerror(f.get(), &code) + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  return out;
}

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) | b[at + 3];
}

// Validates the header "0 0 0x08 ndim" + dims and the payload size; returns the dims.
std::vector<int64_t> idx_dims(const std::vector<uint8_t>& bytes, const std::string& path, int expected_ndim) {
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    throw DataError(path + ": not an idx file (bad magic number)");
  if (bytes[2] != 0x08) throw DataError(fmt::format("{}: unsupported idx element type 0x{:02x} (want unsigned byte)", path, bytes[2]));
  if (bytes[3] != expected_ndim)
    throw DataError(fmt::format("{}: expected a {}-dimensional idx file, found {} dimensions", path, expected_ndim, bytes[3]));
  size_t header = 4 + 4 * static_cast<size_t>(expected_ndim);
  if (bytes.size() < header) throw DataError(path + ": truncated header");
  std::vector<int64_t> dims;
  uint64_t payload = 1;  // each dimension < 2^32: the product is checked before it can overflow
  for (int d = 0; d < expected_ndim; ++d) {
    dims.push_back(big_endian(bytes, 4 + 4 * d));
    if (dims.back() == 0)
      throw DataError(fmt::format("{}: dimension {} of the header is 0 (no {})", path, d + 1, d == 0 ? "items" : "pixels"));
    if (payload > bytes.size() / static_cast<uint64_t>(dims.back()))
      throw DataError(fmt::format("{}: truncated: the header promises more data than the file's {} bytes", path, bytes.size()));
    payload *= static_cast<uint64_t>(dims.back());
  }
  if (bytes.size() - header < payload)
    throw DataError(fmt::format("{}: truncated: header promises {} bytes of data, file holds {}", path, payload,
                                bytes.size() - header));
  if (bytes.size() - header > payload)
    throw DataError(fmt::format("{}: malformed: {} bytes after the data the header describes", path,
                                bytes.size() - header - payload));
  return dims;
}

std::string existing(const std::string& root, const std::string& stem) {
  for (const auto& candidate : {root + "/" + stem + ".gz", root + "/" + stem})
    if (std::filesystem::exists(candidate)) return candidate;
  throw DataError(fmt::format("{}: no {} or {}.gz", root, stem, stem));
}

// The {rows, columns} in the header of an idx3 file (16 bytes read); nullopt when unreadable.
std::optional<std::array<int64_t, 2>> idx3_image_size(const std::string& path) {
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  std::vector<uint8_t> header(16);
  if (!f || gzread(f.get(), header.data(), 16) != 16 || header[0] != 0 || header[1] != 0 || header[2] != 0x08 ||
      header[3] != 3)
    return std::nullopt;
  return std::array<int64_t, 2>{big_endian(header, 8), big_endian(header, 12)};
}

}  // namespace

Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, int64_t classes) {
  auto image_bytes = read_all(images_path);
  auto dims = idx_dims(image_bytes, images_path, 3);
  auto label_bytes = read_all(labels_path);
  auto label_dims = idx_dims(label_bytes, labels_path, 1);
  if (label_dims[0] != dims[0])
    throw DataError(fmt::format("{}: {} labels for {} images in {}", labels_path, label_dims[0], dims[0], images_path));

  auto images = torch::empty({dims[0], 1, dims[1], dims[2]}, torch::kUInt8);
  std::memcpy(images.data_ptr<uint8_t>(), image_bytes.data() + 16, static_cast<size_t>(images.numel()));
  auto labels = torch::empty({dims[0]}, torch::kInt64);
  auto* l = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < dims[0]; ++i) {
    l[i] = label_bytes[8 + i];
    if (l[i] >= classes)
      throw DataError(fmt::format("{}: record {} has label {}, outside the {} classes the data set declares", labels_path,
                                  i, l[i], classes));
  }
  return Dataset{images, labels, numbered_classes(classes)};
}

Dataset read_idx_split(const std::string& root, const std::string& prefix, int64_t classes) {
  std::string images = existing(root, prefix + "-images-idx3-ubyte");
  return read_idx_dataset(images, existing(root, prefix + "-labels-idx1-ubyte"), classes);
}

void register_idx_format(DatasetFormatRegistry& registry) {
  DatasetFormat f;
  f.description = "MNIST-style idx files: train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-*";
  f.channels = 1;
  f.load = [](const DatasetOptions& o) {  // labels are bytes: up to 256 classes unless the data set declares its count
    const int64_t classes = o.classes > 0 ? o.classes : 256;
    Dataset train = read_idx_split(o.root, "train", classes), test = read_idx_split(o.root, "t10k", classes);
    if (o.classes == 0) {  // undeclared: as many classes as the largest label needs, at least 10
      const int64_t used = std::max<int64_t>(10, 1 + std::max(train.labels.max().item<int64_t>(), test.labels.max().item<int64_t>()));
      train.class_names = test.class_names = numbered_classes(used);
    }
    return DatasetSplits{train, test};
  };
  f.check_files = [](const DatasetOptions& o) {
    for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
      existing(o.root, stem);
  };
  f.image_size = [](const DatasetOptions& o) -> std::optional<std::array<int64_t, 2>> {
    try {
      return idx3_image_size(existing(o.root, "train-images-idx3-ubyte"));
    } catch (const DataError&) {  // no file here (validate --skip-data): unknown
      return std::nullopt;
    }
  };
  registry.add("idx", std::move(f));
}

}  // namespace odenet
