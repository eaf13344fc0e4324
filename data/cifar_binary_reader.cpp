#include "data/cifar_binary_reader.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace odenet {
namespace {

constexpr int64_t kPixels = 3 * 32 * 32;

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line != "\r") out.push_back(line.back() == '\r' ? line.substr(0, line.size() - 1) : line);
  return out;
}

// The official archives unpack into a subdirectory: accept either level.
std::string locate(const std::string& root, const std::string& first_file, const std::string& subdir) {
  for (const auto& dir : {root, root + "/" + subdir})
    if (std::filesystem::exists(dir + "/" + first_file)) return dir;
  throw DataError(fmt::format("{}: no {} (nor {}/{})", root, first_file, subdir, first_file));
}

// The files say which data set a root holds: CIFAR-100's train.bin (and no CIFAR-10 batch), or
// CIFAR-10 (whose missing files the errors then name).
CifarVariant variant_in(const std::string& root) {
  auto has = [&](const std::string& file, const std::string& subdir) {
    return std::filesystem::exists(root + "/" + file) || std::filesystem::exists(root + "/" + subdir + "/" + file);
  };
  return has("train.bin", "cifar-100-binary") && !has("data_batch_1.bin", "cifar-10-batches-bin") ? CifarVariant::kCifar100
                                                                                                  : CifarVariant::kCifar10;
}

}  // namespace

Dataset read_cifar_binary(const std::vector<std::string>& files, CifarVariant variant, bool fine_labels) {
  const int64_t label_bytes = variant == CifarVariant::kCifar10 ? 1 : 2;
  const int64_t record = label_bytes + kPixels;
  const int64_t classes = variant == CifarVariant::kCifar10 ? 10 : (fine_labels ? 100 : 20);
  std::vector<std::vector<char>> contents;
  int64_t total = 0;
  for (const auto& file : files) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) throw DataError(file + ": is a directory, not a CIFAR batch file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file + ": cannot open");
    contents.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    auto size = static_cast<int64_t>(contents.back().size());
    if (size == 0 || size % record != 0)
      throw DataError(fmt::format("{}: truncated or malformed: {} bytes is not a whole number of {}-byte records", file,
                                  size, record));
    total += size / record;
  }
  auto images = torch::empty({total, 3, 32, 32}, torch::kUInt8);
  auto labels = torch::empty({total}, torch::kInt64);
  auto* img = images.data_ptr<uint8_t>();
  auto* lab = labels.data_ptr<int64_t>();
  int64_t n = 0;
  for (size_t f = 0; f < contents.size(); ++f) {
    const auto& bytes = contents[f];
    for (size_t at = 0; at < bytes.size(); at += record, ++n) {
      int64_t label = static_cast<uint8_t>(bytes[at + (label_bytes == 2 && fine_labels ? 1 : 0)]);
      if (label >= classes)
        throw DataError(fmt::format("{}: record {} has label {} (expected < {})", files[f], at / record, label, classes));
      lab[n] = label;
      std::memcpy(img + n * kPixels, bytes.data() + at + label_bytes, kPixels);
    }
  }
  return Dataset{images, labels, numbered_classes(classes)};
}

Dataset read_cifar_split(const std::string& root, CifarVariant variant, bool train) {
  std::vector<std::string> files;
  std::vector<std::string> names;
  if (variant == CifarVariant::kCifar10) {
    std::string dir = locate(root, train ? "data_batch_1.bin" : "test_batch.bin", "cifar-10-batches-bin");
    if (train)
      for (int i = 1; i <= 5; ++i) files.push_back(fmt::format("{}/data_batch_{}.bin", dir, i));
    else
      files.push_back(dir + "/test_batch.bin");
    names = read_lines(dir + "/batches.meta.txt");
  } else {
    std::string dir = locate(root, train ? "train.bin" : "test.bin", "cifar-100-binary");
    files.push_back(dir + (train ? "/train.bin" : "/test.bin"));
    names = read_lines(dir + "/fine_label_names.txt");
  }
  Dataset data = read_cifar_binary(files, variant);
  if (static_cast<int64_t>(names.size()) == data.num_classes()) data.class_names = names;
  return data;
}

void register_cifar_binary_format(DatasetFormatRegistry& registry) {
  DatasetFormat f;
  f.description = "CIFAR-10/100 binary batches (cifar-10-batches-bin, cifar-100-binary; the files say which)";
  f.channels = 3;
  f.height = f.width = 32;
  f.load = [](const DatasetOptions& o) {
    const CifarVariant variant = variant_in(o.root);
    return DatasetSplits{read_cifar_split(o.root, variant, true), read_cifar_split(o.root, variant, false)};
  };
  f.check_files = [](const DatasetOptions& o) {
    if (variant_in(o.root) == CifarVariant::kCifar100) {
      for (const char* file : {"train.bin", "test.bin"}) locate(o.root, file, "cifar-100-binary");
      return;
    }
    const std::string dir = locate(o.root, "data_batch_1.bin", "cifar-10-batches-bin");
    for (int i = 2; i <= 5; ++i)
      if (!std::filesystem::exists(fmt::format("{}/data_batch_{}.bin", dir, i)))
        throw DataError(fmt::format("{}: no data_batch_{}.bin", dir, i));
    locate(o.root, "test_batch.bin", "cifar-10-batches-bin");
  };
  registry.add("cifar_binary", std::move(f));
}

}  // namespace odenet
