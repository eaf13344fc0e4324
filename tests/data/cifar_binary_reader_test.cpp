#include "data/cifar_binary_reader.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

std::vector<uint8_t> records(int n, int label_bytes) {
  std::vector<uint8_t> b;
  for (int i = 0; i < n; ++i) {
    for (int l = 0; l < label_bytes; ++l) b.push_back(static_cast<uint8_t>(i + l));  // coarse i, fine i+1
    for (int p = 0; p < 3072; ++p) b.push_back(static_cast<uint8_t>((p + i) % 251));
  }
  return b;
}

TEST(CifarBinaryReader, ReadsCifar10Records) {
  test::ScratchDir dir;
  test::write_bytes(dir / "a.bin", records(3, 1));
  test::write_bytes(dir / "b.bin", records(2, 1));
  Dataset d = read_cifar_binary({dir / "a.bin", dir / "b.bin"}, CifarVariant::kCifar10);
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{5, 3, 32, 32}));
  EXPECT_EQ(d.labels[2].item<int64_t>(), 2);
  EXPECT_EQ(d.labels[4].item<int64_t>(), 1);
  // Channel planes in R, G, B order: pixel (c=1, y=0, x=5) of record 1 is byte 1024+5.
  EXPECT_EQ(d.images[1][1][0][5].item<uint8_t>(), (1024 + 5 + 1) % 251);
}

TEST(CifarBinaryReader, Cifar100FineAndCoarseLabels) {
  test::ScratchDir dir;
  test::write_bytes(dir / "train.bin", records(4, 2));
  EXPECT_EQ(read_cifar_binary({dir / "train.bin"}, CifarVariant::kCifar100, true).labels[3].item<int64_t>(), 4);
  EXPECT_EQ(read_cifar_binary({dir / "train.bin"}, CifarVariant::kCifar100, false).labels[3].item<int64_t>(), 3);
}

TEST(CifarBinaryReader, OfficialDirectoryLayout) {
  test::ScratchDir dir;
  std::string sub = dir / "cifar-10-batches-bin";
  std::filesystem::create_directories(sub);
  for (int i = 1; i <= 5; ++i) test::write_bytes(sub + "/data_batch_" + std::to_string(i) + ".bin", records(2, 1));
  test::write_bytes(sub + "/test_batch.bin", records(3, 1));
  test::write_text(sub + "/batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
  Dataset train = read_cifar_split(dir.path(), CifarVariant::kCifar10, true);
  EXPECT_EQ(train.size(), 10);
  EXPECT_EQ(train.class_names[9], "truck");
  EXPECT_EQ(read_cifar_split(dir.path(), CifarVariant::kCifar10, false).size(), 3);
}

TEST(CifarBinaryReader, TruncatedFileIsNamed) {
  test::ScratchDir dir;
  auto bytes = records(2, 1);
  bytes.pop_back();
  test::write_bytes(dir / "data_batch_1.bin", bytes);
  try {
    read_cifar_binary({dir / "data_batch_1.bin"}, CifarVariant::kCifar10);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir / "data_batch_1.bin" + ": truncated or malformed: 6145 bytes is not a whole number of 3073-byte records");
  }
  test::write_bytes(dir / "bad_label.bin", records(12, 1));
  EXPECT_THROW(read_cifar_binary({dir / "bad_label.bin"}, CifarVariant::kCifar10), DataError);  // label 10
}

}  // namespace
}  // namespace odenet
