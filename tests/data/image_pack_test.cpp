// The image index (cached while the folder is unchanged, list files) and the packed format: a
// pack holds the folder's JPEGs (copied, or downscaled and re-encoded past the cap), and the same
// loader reads it and the folder alike.
#include "data/image_pack.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "data/image_codec.h"
#include "data/image_index.h"
#include "data/image_stream.h"
#include "data/loader.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

namespace fs = std::filesystem;

TEST(ImageIndex, CachedWhileTheFolderIsUnchangedAndRebuiltWhenItChanges) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 3, 20, 40, 1);
  ImageIndexOptions o;
  o.dir = dir / "train";
  o.cache_dir = dir / "cache";
  const auto first = index_image_files(o);
  ASSERT_EQ(first->size(), 6);
  EXPECT_TRUE(fs::exists(image_index_cache_path(o)));
  EXPECT_EQ(first->paths[0], dir / "train/class0/0.JPEG");
  EXPECT_EQ(first->class_names, (std::vector<std::string>{"class0", "class1"}));
  EXPECT_EQ(first->labels, (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
  const auto size = read_file_bytes(first->paths[0]);
  EXPECT_EQ(image_size(size, "x"), (std::array<int64_t, 2>{first->heights[0], first->widths[0]}));
  // Rewritten in place (the directory unchanged): the cached index answers, headers unread.
  write_jpeg(first->paths[0], Image{77, 55, 3, std::vector<uint8_t>(77 * 55 * 3, 100)}, 90);
  EXPECT_EQ(index_image_files(o)->widths[0], first->widths[0]) << "read from the cache";
  // A file added: the class directory's time changes, the index is rebuilt.
  write_jpeg(dir / "train/class1/9.JPEG", Image{30, 20, 3, std::vector<uint8_t>(30 * 20 * 3, 50)}, 90);
  fs::last_write_time(dir / "train/class1", fs::last_write_time(dir / "train/class1") + std::chrono::seconds(2));
  const auto rebuilt = index_image_files(o);
  EXPECT_EQ(rebuilt->size(), 7);
  EXPECT_EQ(rebuilt->widths[0], 77);
  EXPECT_EQ(rebuilt->heights.back(), 20);
}

TEST(ImageIndex, AListFileGivesPathsAndLabels) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "images", 1, 3, 20, 30, 2);
  test::write_text(dir / "list.txt", "# path label\nimages/class0/0.JPEG 4\nimages/class0/2.JPEG 0\n");
  ImageIndexOptions o;
  o.list = dir / "list.txt";
  o.root = dir.path();
  const auto files = index_image_files(o);
  ASSERT_EQ(files->size(), 2);
  EXPECT_EQ(files->labels, (std::vector<int64_t>{4, 0}));
  EXPECT_EQ(files->class_names.size(), 5u);
  EXPECT_EQ(files->paths[1], dir / "images/class0/2.JPEG");
  test::write_text(dir / "list.txt", "images/class0/0.JPEG 4\nimages/class0/1.JPEG cat\n");
  EXPECT_EQ(test::error_message<DataError>([&] { index_image_files(o); }),
            o.list + ":2: expected \"<path> <label>\" with a label ≥ 0, got \"images/class0/1.JPEG cat\"");
}

TEST(ImagePack, HoldsTheFolderCopiedOrDownscaledAndTheLoaderReadsItAlike) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 5, 30, 90, 3);
  ImageIndexOptions index;
  index.dir = dir / "train";
  const auto files = index_image_files(index);
  // Within the cap: every JPEG copied byte for byte.
  PackOptions o;
  o.threads = 3;
  const PackSummary copied = write_image_pack(*files, dir / "whole.odenet-pack", o);
  EXPECT_EQ(copied.images, 10);
  EXPECT_EQ(copied.reencoded, 0);
  const ImagePack pack(dir / "whole.odenet-pack");
  ASSERT_EQ(pack.size(), 10);
  EXPECT_EQ(pack.class_names, files->class_names);
  std::vector<uint8_t> bytes;
  for (int64_t i = 0; i < pack.size(); ++i) {
    pack.read(i, bytes);
    EXPECT_EQ(bytes, read_file_bytes(files->paths[i])) << i;
    EXPECT_EQ(pack.labels[i], files->labels[i]);
    EXPECT_EQ(pack.heights[i], files->heights[i]);
  }
  // The same loader, the same batches, from the folder and from the pack.
  StreamTransform t;
  t.crop = 24, t.resize = 28;
  const Dataset a = streamed_dataset(files, t);
  const Dataset b = streamed_dataset(std::make_shared<ImagePack>(dir / "whole.odenet-pack"), t);
  LoaderOptions lo;
  lo.batch_size = 4;
  lo.augment = AugmentOptions{0, true, {0.5, 0.5, 0.5}, {0.2, 0.2, 0.2}, false};
  Loader from_folder(a, lo), from_pack(b, lo);
  const int64_t steps = from_folder.begin(1);
  ASSERT_EQ(from_pack.begin(1), steps);
  for (int64_t s = 0; s < steps; ++s) {
    EXPECT_TRUE(torch::equal(from_folder.next().images.clone(), from_pack.next().images)) << "batch " << s;
  }
  // Past the cap: downscaled so the longer side is the cap, re-encoded.
  o.max_side = 40;
  const PackSummary capped = write_image_pack(*files, dir / "small.odenet-pack", o);
  const ImagePack small(dir / "small.odenet-pack");
  int64_t expected = 0;
  for (int64_t i = 0; i < small.size(); ++i) {
    const int64_t longer = std::max(files->heights[i], files->widths[i]);
    expected += longer > 40;
    EXPECT_EQ(std::max(small.heights[i], small.widths[i]), std::min<int64_t>(longer, 40)) << i;
    small.read(i, bytes);
    EXPECT_EQ(decode_image(bytes, small.name(i)).width, small.widths[i]);
  }
  EXPECT_EQ(capped.reencoded, expected);
  EXPECT_GT(expected, 0);
}

TEST(ImagePack, ADamagedPackIsAnErrorNamingIt) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 2, 20, 30, 4);
  ImageIndexOptions index;
  index.dir = dir / "train";
  const std::string path = dir / "p.odenet-pack";
  write_image_pack(*index_image_files(index), path, PackOptions{});
  std::vector<uint8_t> bytes = read_file_bytes(path);
  test::write_bytes(path, std::vector<uint8_t>(bytes.begin(), bytes.end() - 30));
  EXPECT_NE(test::error_message<DataError>([&] { ImagePack p(path); }).find(path + ": damaged or truncated pack"),
            std::string::npos);
  test::write_bytes(path, {'n', 'o', 'p', 'e'});
  EXPECT_NE(test::error_message<DataError>([&] { ImagePack p(path); }).find(path), std::string::npos);
  EXPECT_NE(test::error_message<DataError>([&] { ImagePack p(dir / "missing"); }).find("cannot open pack"), std::string::npos);
}

}  // namespace
}  // namespace odenet
