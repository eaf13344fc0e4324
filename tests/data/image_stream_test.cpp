// Streamed image data (the image_stream format): the same batches on any number of workers, ranks'
// shards making up the whole batch, views as torchvision's transforms make them, corrupt files
// named or (when asked) skipped and counted, and memory bounded by the prefetch depth.
#include "data/image_stream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/image_codec.h"
#include "data/image_index.h"
#include "data/loader.h"
#include "data/stream_batch.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

namespace fs = std::filesystem;

Dataset streamed(const std::string& dir, StreamTransform t = {}, bool skip = false) {
  ImageIndexOptions o;
  o.dir = dir;
  o.skip_unreadable = skip;
  return streamed_dataset(index_image_files(o), t);
}

StreamTransform small_views() {
  StreamTransform t;
  t.crop = 32;
  t.resize = 40;
  return t;
}

LoaderOptions loader_options(int workers, bool train = true) {
  LoaderOptions o;
  o.batch_size = 6;
  o.train = train;
  o.seed = 11;
  o.augment = AugmentOptions{0, true, {0.5, 0.5, 0.5}, {0.25, 0.25, 0.25}, false};
  o.workers = workers;
  return o;
}

std::vector<Batch> pass(Loader& loader, long epoch) {
  std::vector<Batch> out;
  for (int64_t s = 0, n = loader.begin(epoch); s < n; ++s) {
    Batch b = loader.next();
    out.push_back({b.images.clone(), b.labels.clone()});
  }
  return out;
}

TEST(ImageStream, TheSameBatchesOnAnyNumberOfWorkers) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 3, 7, 40, 90, 1);
  const Dataset data = streamed(dir / "train", small_views());
  EXPECT_FALSE(data.images.defined()) << "nothing decoded ahead of a pass";
  ASSERT_EQ(data.size(), 21);
  Loader one(data, loader_options(1)), three(data, loader_options(3));
  for (long epoch : {0L, 1L}) {
    const auto a = pass(one, epoch), b = pass(three, epoch);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_TRUE(torch::equal(a[i].images, b[i].images)) << "epoch " << epoch << " batch " << i;
      EXPECT_TRUE(torch::equal(a[i].labels, b[i].labels));
      EXPECT_EQ(a[i].images.sizes(), (std::vector<int64_t>{a[i].labels.size(0), 3, 32, 32}));
    }
  }
  EXPECT_FALSE(torch::equal(pass(one, 0)[0].images, pass(one, 1)[0].images)) << "each epoch draws new views";
}

TEST(ImageStream, ShardsOfRanksMakeUpTheWholeBatch) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 9, 40, 80, 2);
  const Dataset data = streamed(dir / "train", small_views());
  Loader whole(data, loader_options(2));
  const auto all = pass(whole, 3);
  std::vector<std::vector<Batch>> shards;
  for (int r = 0; r < 3; ++r) {
    LoaderOptions o = loader_options(1);
    o.shard = r, o.shards = 3;
    Loader part(data, o);
    shards.push_back(pass(part, 3));
  }
  for (size_t step = 0; step < all.size(); ++step) {
    std::vector<torch::Tensor> images, labels;
    for (const auto& s : shards) images.push_back(s[step].images), labels.push_back(s[step].labels);
    EXPECT_TRUE(torch::equal(torch::cat(images), all[step].images)) << "step " << step;
    EXPECT_TRUE(torch::equal(torch::cat(labels), all[step].labels));
  }
}

// Decoded views of `data`'s first images against torchvision's transforms on the same files
// (PIL, torchvision 0.14): training views from generators seeded 0, 1, ... as torch.manual_seed
// seeds torchvision's draws, and the evaluation view. Returns the mean |difference| per image.
std::vector<double> differences_from_torchvision(const Dataset& data, const test::ScratchDir& dir, bool train, int count) {
  std::string files;
  for (int i = 0; i < count; ++i) files += " " + data.stream->name(i);
  const auto& t = data.stream->transform();
  test::write_text(dir / "views.py", R"(
import sys, numpy as np, torch
import torchvision.transforms as T
from PIL import Image
train, crop, resize = sys.argv[1] == "1", int(sys.argv[2]), int(sys.argv[3])
if train:
    transform = T.Compose([T.RandomResizedCrop(crop), T.RandomHorizontalFlip()])
else:
    transform = T.Compose([T.Resize(resize), T.CenterCrop(crop)])
for k, path in enumerate(sys.argv[4:]):
    torch.manual_seed(k)
    view = np.asarray(transform(Image.open(path).convert("RGB")))
    sys.stdout.buffer.write(view.tobytes())
)");
  const std::string out = dir / "views.bin";
  const auto r = test::run_shell(fmt::format("/usr/bin/python3 {} {} {} {}{} > {} 2>/dev/null", dir / "views.py",
                                             train ? 1 : 0, t.crop, t.resize, files, out));
  if (r.status != 0) return {};
  std::ifstream in(out, std::ios::binary);
  const std::vector<uint8_t> theirs((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t view_bytes = static_cast<size_t>(t.crop * t.crop * 3);
  EXPECT_EQ(theirs.size(), view_bytes * count);
  std::vector<double> differences;
  std::vector<uint8_t> ours(view_bytes), bytes;
  for (int i = 0; i < count && theirs.size() == view_bytes * count; ++i) {
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(i));
    const StreamView view = data.stream->draw_view(i, true, generator);
    data.stream->decode(i, train ? &view : nullptr, ours.data(), bytes);
    double total = 0;
    for (size_t k = 0; k < view_bytes; ++k) total += std::abs(int(ours[k]) - int(theirs[i * view_bytes + k]));
    differences.push_back(total / static_cast<double>(view_bytes));
  }
  return differences;
}

TEST(ImageStream, TrainingAndEvaluationViewsAreTorchvisions) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 6, 250, 1400, 3);  // up to 1400: DCT scaling at 1/2
  for (bool dct : {false, true}) {
    StreamTransform t;  // 224 and 256, as ImageNet's recipe
    t.dct_scaling = dct;
    const Dataset data = streamed(dir / "train", t);
    for (bool train : {true, false}) {
      const auto differences = differences_from_torchvision(data, dir, train, 12);
      if (differences.empty()) GTEST_SKIP() << "no python3-torchvision here (scripts/setup.sh installs it)";
      double worst = 0;
      for (double d : differences) worst = std::max(worst, d);
      std::printf("  %s views, DCT scaling %s: mean |difference| from torchvision at most %.3f levels per image\n",
                  train ? "training" : "evaluation", dct ? "on " : "off", worst);
      // Exact decoding (the default): the resize's rounding only. DCT scaling (an option): the
      // decoder's reduction is a different low-pass than the triangle filter's.
      EXPECT_LE(worst, dct ? 2.0 : 1.0) << (train ? "training" : "evaluation") << " views";
    }
  }
}

TEST(ImageStream, ACorruptImageIsAnErrorNamingItOrSkippedAndCounted) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 4, 60, 90, 4);
  const std::string victim = dir / "train/class1/2.JPEG";
  std::vector<uint8_t> bytes = read_file_bytes(victim);
  bytes.resize(bytes.size() / 3);  // truncated: the header is whole, the picture is not
  test::write_bytes(victim, bytes);
  {
    const Dataset data = streamed(dir / "train", small_views());
    Loader loader(data, loader_options(2, /*train=*/false));
    const std::string message = test::error_message<Error>([&] { pass(loader, 0); });
    EXPECT_NE(message.find(victim), std::string::npos) << message;
    EXPECT_NE(message.find("corrupt JPEG"), std::string::npos) << message;
  }
  StreamTransform skip = small_views();
  skip.skip_corrupt = true;
  const Dataset data = streamed(dir / "train", skip);
  Loader loader(data, loader_options(2, /*train=*/false));
  int64_t seen = 0;
  for (const auto& b : pass(loader, 0)) seen += b.labels.size(0);
  EXPECT_EQ(seen, 7) << "eight images, one left out";
  EXPECT_EQ(loader.skipped(), 1);
  // A file whose header cannot be read is refused while indexing, or (skipping) left out of the index.
  test::write_bytes(dir / "train/class0/0.JPEG", {0xFF, 0xD8, 0xFF});
  EXPECT_NE(test::error_message<DataError>([&] { streamed(dir / "train"); }).find("class0/0.JPEG"), std::string::npos);
  EXPECT_EQ(streamed(dir / "train", {}, true).size(), 7);
}

// What a GPU run does (uint8 batches to the device, normalised there) against what a CPU run's
// workers do (normalised floats), on the same views.
TEST(ImageStream, BytesNormalisedOnTheDeviceEqualTheWorkersFloats) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 3, 40, 70, 6);
  const Dataset data = streamed(dir / "train", small_views());
  const std::vector<int64_t> indices{5, 0, 3, 2};
  const auto views = draw_stream_views(*data.stream, indices.data(), 4, true, 99);
  AugmentOptions augment{0, true, {0.4, 0.5, 0.6}, {0.2, 0.25, 0.3}, false};
  auto raw = torch::empty({4, 32, 32, 3}, torch::kUInt8);
  auto floats = torch::empty({4, 3, 32, 32});
  assemble_stream_batch(*data.stream, indices.data(), 4, views, augment, raw);
  assemble_stream_batch(*data.stream, indices.data(), 4, views, augment, floats);
  EXPECT_TRUE(torch::allclose(normalize_batch(raw, augment), floats, 1e-5, 1e-5));
  augment.channels_last = true;
  const auto nhwc = normalize_batch(raw, augment);
  EXPECT_TRUE(nhwc.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(torch::allclose(nhwc, floats, 1e-5, 1e-5));
}

int64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

TEST(ImageStream, MemoryStaysBoundedByThePrefetchDepth) {
  test::ScratchDir dir;
  test::write_jpeg_folder(dir.path(), "train", 2, 60, 300, 500, 5);  // 120 images of up to 500 x 500
  const Dataset data = streamed(dir / "train");                     // 224 x 224 views
  LoaderOptions o = loader_options(2);
  o.batch_size = 4;
  Loader loader(data, o);
  const int64_t steps = loader.begin(0);
  for (int s = 0; s < 3; ++s) loader.next();
  const int64_t settled = resident_bytes();
  for (int64_t s = 3; s < steps; ++s) loader.next();
  const int64_t grown = resident_bytes() - settled;
  // Holding the pass's views would take 120 × 224² × 3 floats = 72 MB; the loader holds three batches.
  std::printf("  resident memory grew %.1f MB over %lld batches of 4 views\n", grown / 1e6, static_cast<long long>(steps - 3));
  EXPECT_LT(grown, 16 * 1000 * 1000);
}

}  // namespace
}  // namespace odenet
