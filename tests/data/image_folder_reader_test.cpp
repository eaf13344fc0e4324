#include "data/image_folder_reader.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "data/image_codec.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {
namespace fs = std::filesystem;

Image gradient(int w, int h, int value) {
  Image im;
  im.width = w;
  im.height = h;
  im.channels = 3;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) im.pixels.push_back(static_cast<uint8_t>(value + 10 * c + x + y));
  return im;
}

void make_folder(const std::string& root) {
  for (const char* split : {"train", "test"})
    for (const char* cls : {"cat", "ant"}) {
      fs::create_directories(root + "/" + split + "/" + cls);
      write_png(root + "/" + split + "/" + cls + "/a.png", gradient(6, 5, cls[0] == 'a' ? 10 : 100));
      write_jpeg(root + "/" + split + "/" + cls + "/b.jpg", gradient(6, 5, 50), 95);
    }
}

TEST(ImageFolderReader, DecodesPngExactlyAndJpegApproximately) {
  test::ScratchDir dir;
  make_folder(dir / "data");
  Dataset d = read_image_folder({dir / "data", "train", 3, ""});
  ASSERT_EQ(d.images.sizes(), (std::vector<int64_t>{4, 3, 5, 6}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"ant", "cat"}));  // sorted: labels 0, 1
  EXPECT_EQ(d.labels[0].item<int64_t>(), 0);
  EXPECT_EQ(d.labels[3].item<int64_t>(), 1);
  // ant/a.png: value 10 + 10c + x + y; check channel 2 at (y=4, x=5).
  EXPECT_EQ(d.images[0][2][4][5].item<uint8_t>(), 10 + 20 + 5 + 4);
  // ant/b.jpg is lossy: within a few levels.
  EXPECT_NEAR(d.images[1][0][2][3].item<uint8_t>(), 50 + 3 + 2, 6);
}

// A folder of one class would train to 0 % error without a word: refused, naming the class.
TEST(ImageFolderReader, OneClassIsAnError) {
  test::ScratchDir dir;
  fs::create_directories(dir / "data/train/cat");
  write_png(dir / "data/train/cat/a.png", gradient(6, 5, 10));
  try {
    read_image_folder({dir / "data", "train", 3, ""});
    FAIL() << "one class accepted";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), dir / "data/train" + ": one class directory ('cat'); a classifier needs two or more");
  }
}

TEST(ImageFolderReader, GrayConversionAndCacheRoundTrip) {
  test::ScratchDir dir;
  make_folder(dir / "data");
  Dataset first = read_image_folder({dir / "data", "test", 1, dir / "cache"});
  EXPECT_EQ(first.channels(), 1);
  ASSERT_EQ(std::distance(fs::directory_iterator(dir / "cache"), fs::directory_iterator()), 1);
  Dataset cached = read_image_folder({dir / "data", "test", 1, dir / "cache"});
  EXPECT_TRUE(torch::equal(first.images, cached.images));
  EXPECT_TRUE(torch::equal(first.labels, cached.labels));
  EXPECT_EQ(first.class_names, cached.class_names);
}

TEST(ImageFolderReader, TruncatedImageAndSizeMismatchAreNamed) {
  test::ScratchDir dir;
  make_folder(dir / "data");
  std::string jpg = dir / "data/train/cat/b.jpg";
  std::string bytes = test::read_text(jpg);
  test::write_bytes(jpg, std::vector<uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2));
  try {
    read_image_folder({dir / "data", "train", 3, ""});
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(jpg + ": "), std::string::npos) << e.what();
  }
  write_png(jpg, gradient(7, 5, 0));  // a PNG named .jpg, of another size
  try {
    read_image_folder({dir / "data", "train", 3, ""});
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(jpg + ": image is 7x5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_image_folder({dir / "nowhere", "train", 3, ""}), DataError);
}

TEST(ImageFolderReader, DamagedCacheIsAnError) {
  test::ScratchDir dir;
  test::write_text(dir / "c.bin", "ODNCACH1xx");
  EXPECT_THROW(load_dataset_cache(dir / "c.bin"), DataError);
}

}  // namespace
}  // namespace odenet
