#include "data/idx_reader.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

using test::ScratchDir;

TEST(IdxReader, ReadsGzippedAndRawFiles) {
  ScratchDir dir;
  for (bool gz : {true, false}) {
    auto images = test::idx_images(7, 5, 4, 3, 0);
    test::write_bytes(dir / "i", images, gz);
    test::write_bytes(dir / "l", test::idx_labels(7, 3), gz);
    Dataset d = read_idx_dataset(dir / "i", dir / "l");
    ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{7, 1, 5, 4}));
    EXPECT_EQ(d.labels[4].item<int64_t>(), 1);
    EXPECT_EQ(d.images[6][0][4][3].item<uint8_t>(), images.back());
    EXPECT_EQ(d.num_classes(), 10);
  }
}

TEST(IdxReader, FindsSplitsByOfficialNames) {
  ScratchDir dir;
  test::write_idx_dataset(dir.path(), 12, 6, 8, 10);
  EXPECT_EQ(read_idx_split(dir.path(), "train").size(), 12);
  EXPECT_EQ(read_idx_split(dir.path(), "t10k").size(), 6);
  EXPECT_THROW(read_idx_split(dir / "nowhere", "train"), DataError);
}

TEST(IdxReader, TruncatedFilesAreNamed) {
  ScratchDir dir;
  auto images = test::idx_images(4, 6, 6, 2, 0);
  images.resize(images.size() - 5);
  test::write_bytes(dir / "i.gz", images, true);
  test::write_bytes(dir / "l.gz", test::idx_labels(4, 2), true);
  try {
    read_idx_dataset(dir / "i.gz", dir / "l.gz");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "i.gz" + ": truncated: header promises 144 bytes of data, file holds 139");
  }
  // A gzip stream cut in the middle.
  test::write_bytes(dir / "full.gz", test::idx_images(50, 28, 28, 2, 0), true);
  auto bytes = test::read_text(dir / "full.gz");
  test::write_bytes(dir / "cut.gz", std::vector<uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2), false);
  EXPECT_THROW(read_idx_dataset(dir / "cut.gz", dir / "l.gz"), DataError);
}

TEST(IdxReader, MalformedHeadersAndMismatchedCounts) {
  ScratchDir dir;
  test::write_bytes(dir / "i", {1, 2, 3, 4, 5, 6, 7, 8});
  test::write_bytes(dir / "l", test::idx_labels(3, 2));
  try {
    read_idx_dataset(dir / "i", dir / "l");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "i" + ": not an idx file (bad magic number)");
  }
  test::write_bytes(dir / "i", test::idx_images(4, 3, 3, 2, 0));
  try {
    read_idx_dataset(dir / "i", dir / "l");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "l" + ": 3 labels for 4 images in " + dir / "i");
  }
}

}  // namespace
}  // namespace odenet
