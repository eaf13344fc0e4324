// Data files that lie about themselves: labels outside the declared classes, folders that are
// not classes, zero or overflowing idx dimensions, a directory where a CIFAR batch should be, a
// damaged image cache. Each is a DataError naming the file (and the record), never a crash, a
// silent change of the model's head or an enormous allocation.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "data/cifar_binary_reader.h"
#include "data/idx_reader.h"
#include "data/image_codec.h"
#include "data/image_folder_reader.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;

template <class F>
std::string data_error(F&& read) {
  return test::error_message<DataError>(read);
}

TEST(BadData, AnIdxLabelOutsideTheDeclaredClassesNamesFileAndRecord) {
  test::ScratchDir dir;
  test::write_bytes(dir / "i", test::idx_images(5, 4, 4, 2, 0));
  auto labels = test::idx_labels(5, 2);
  labels[8 + 3] = 200;  // record 3
  test::write_bytes(dir / "l", labels);
  EXPECT_EQ(data_error([&] { read_idx_dataset(dir / "i", dir / "l", 10); }),
            dir / "l" + ": record 3 has label 200, outside the 10 classes the data set declares");
}

TEST(BadData, IdxHeadersWithZeroOrOverflowingDimensions) {
  test::ScratchDir dir;
  test::write_bytes(dir / "l", test::idx_labels(2, 2));
  test::write_bytes(dir / "zero", {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4});
  EXPECT_EQ(data_error([&] { read_idx_dataset(dir / "zero", dir / "l"); }),
            dir / "zero" + ": dimension 2 of the header is 0 (no pixels)");
  test::write_bytes(dir / "huge", {0, 0, 0x08, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(data_error([&] { read_idx_dataset(dir / "huge", dir / "l"); }),
            dir / "huge" + ": truncated: the header promises more data than the file's 16 bytes");
}

TEST(BadData, ADirectoryWhereACifarBatchShouldBe) {
  test::ScratchDir dir;
  fs::create_directories(dir / "data_batch_1.bin");
  EXPECT_EQ(data_error([&] { read_cifar_binary({dir / "data_batch_1.bin"}, CifarVariant::kCifar10); }),
            dir / "data_batch_1.bin" + ": is a directory, not a CIFAR batch file");
}

TEST(BadData, HiddenAndEmptyFoldersAreNotClasses) {
  test::ScratchDir dir;
  Image im;
  im.width = im.height = 4;
  im.channels = 3;
  im.pixels.assign(48, 7);
  for (const char* cls : {"cat", "dog", ".git"}) {
    fs::create_directories(dir / ("train/" + std::string(cls)));
    write_png(dir / ("train/" + std::string(cls) + "/a.png"), im);
  }
  fs::create_directories(dir / "train/empty");
  Dataset d = read_image_folder({dir.path(), "train", 3, ""});
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(d.size(), 2);
}

TEST(BadData, ADamagedImageCacheIsRefusedBeforeAllocating) {
  test::ScratchDir dir;
  Dataset d{torch::zeros({2, 1, 2, 2}, torch::kUInt8), torch::tensor({0, 1}, torch::kInt64), {"a", "b"}};
  save_dataset_cache(dir / "ok.bin", d);
  std::string bytes = test::read_text(dir / "ok.bin");
  EXPECT_EQ(load_dataset_cache(dir / "ok.bin").size(), 2);

  std::string huge = bytes;  // the first image dimension (after the 8-byte magic) claims 2^40 images
  const int64_t big = int64_t(1) << 40;
  std::memcpy(huge.data() + 8, &big, sizeof big);
  test::write_text(dir / "huge.bin", huge);
  EXPECT_EQ(data_error([&] { load_dataset_cache(dir / "huge.bin"); }),
            dir / "huge.bin" + ": damaged cache file (impossible image dimensions; delete it to rebuild)");

  std::string label = bytes;  // the last label (the file's last 8 bytes) set to 9 of 2 classes
  const int64_t nine = 9;
  std::memcpy(label.data() + label.size() - 8, &nine, sizeof nine);
  test::write_text(dir / "label.bin", label);
  EXPECT_EQ(data_error([&] { load_dataset_cache(dir / "label.bin"); }),
            dir / "label.bin" + ": damaged cache file (a label outside its 2 classes; delete it to rebuild)");

  test::write_text(dir / "cut.bin", bytes.substr(0, bytes.size() - 3));
  EXPECT_EQ(data_error([&] { load_dataset_cache(dir / "cut.bin"); }),
            dir / "cut.bin" + ": truncated cache file (delete it to rebuild)");
}

}  // namespace
}  // namespace odenet
