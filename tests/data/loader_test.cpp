#include "data/loader.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "core/seeds.h"
#include "data/fixed_batch_source.h"

namespace odenet {
namespace {

// 37 RGB 6×6 images whose pixels encode their index, labels index % 5.
Dataset numbered(int64_t n = 37) {
  auto images = torch::empty({n, 3, 6, 6}, torch::kUInt8);
  for (int64_t i = 0; i < n; ++i) images[i].fill_(i);
  images.select(1, 1).add_(torch::arange(36, torch::kUInt8).reshape({6, 6}));
  return Dataset{images, torch::arange(n, torch::kInt64).remainder(5), numbered_classes(5)};
}

LoaderOptions train_options(int workers, int prefetch) {
  LoaderOptions o;
  o.batch_size = 8;
  o.seed = 7;
  o.augment = AugmentOptions{2, true, {0.1, 0.2, 0.3}, {0.5, 0.6, 0.7}, true};
  o.workers = workers;
  o.prefetch = prefetch;
  return o;
}

std::vector<Batch> pass(Loader& loader, long epoch) {
  std::vector<Batch> out;
  for (int64_t s = 0, n = loader.begin(epoch); s < n; ++s) {
    Batch b = loader.next();
    out.push_back({b.images.clone(), b.labels.clone()});  // the buffers are reused
  }
  return out;
}

TEST(Loader, SameSeedAndEpochGiveTheSameBatchesOnAnyNumberOfWorkers) {
  Dataset data = numbered();
  Loader a(data, train_options(1, 1)), b(data, train_options(3, 4));
  auto x = pass(a, 2), y = pass(b, 2);
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(torch::equal(x[i].images, y[i].images)) << i;
    EXPECT_TRUE(torch::equal(x[i].labels, y[i].labels)) << i;
  }
  auto again = pass(a, 2);  // a later pass over the same epoch repeats it
  EXPECT_TRUE(torch::equal(again[3].images, x[3].images));
  auto other = pass(a, 3);
  EXPECT_FALSE(torch::equal(other[0].labels, x[0].labels));
}

TEST(Loader, APassVisitsEveryExampleOnceAndFoldsALastBatchOfOne) {
  Dataset data = numbered(33);  // 4 batches of 8 and one of 1: the last folds into the fourth
  Loader loader(data, train_options(2, 2));
  auto batches = pass(loader, 1);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches.back().labels.size(0), 9);
  std::set<int64_t> seen;
  for (int64_t s = 0; s < 4; ++s)
    for (int64_t i : loader.indices(s)) EXPECT_TRUE(seen.insert(i).second);
  EXPECT_EQ(seen.size(), 33u);
  EXPECT_EQ(batches_per_pass(33, 8, false), 5);  // evaluation passes keep the batch of one
}

TEST(Loader, BatchesEqualTheReferenceAssemblyOfTheSameExamplesAndViews) {
  Dataset data = numbered();
  LoaderOptions o = train_options(2, 3);
  Loader loader(data, o);
  auto batches = pass(loader, 4);
  for (int64_t s = 0; s < static_cast<int64_t>(batches.size()); ++s) {
    auto idx = loader.indices(s);
    std::mt19937_64 rng(derive_seed(derive_seed(o.seed, 4, kViewStream), s, 0));
    auto views = draw_views(static_cast<int64_t>(idx.size()), o.augment, rng);
    auto expected = empty_batch(data, static_cast<int64_t>(idx.size()), o.augment);
    assemble_batch(data, idx.data(), static_cast<int64_t>(idx.size()), views, o.augment, expected);
    EXPECT_TRUE(torch::equal(batches[s].images, expected)) << s;
    EXPECT_TRUE(batches[s].images.is_contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_TRUE(torch::equal(batches[s].labels, data.labels.index_select(0, torch::tensor(idx))));
  }
}

TEST(Loader, EvaluationPassesAreInOrderWithTheCentreView) {
  Dataset data = numbered();
  LoaderOptions o = train_options(1, 2);
  o.train = false;
  o.batch_size = 10;
  Loader loader(data, o);
  auto batches = pass(loader, 1);
  ASSERT_EQ(batches.size(), 4u);
  std::mt19937_64 unused(0);
  std::vector<int64_t> first(10);
  std::iota(first.begin(), first.end(), 0);
  EXPECT_TRUE(torch::equal(batches[0].images, make_batch(data, first, o.augment, false, unused)));
  EXPECT_EQ(batches[3].labels.size(0), 7);
}

TEST(Loader, AnErrorInAWorkerReachesTheTrainerAsOneClearError) {
  Dataset data = numbered();
  LoaderOptions o = train_options(2, 2);
  o.augment.mean = {0.5};  // one entry for three channels: assembly fails in the worker
  o.augment.std = {0.5};
  Loader loader(data, o);
  loader.begin(1);
  try {
    loader.next();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data loader, pass 1 batch 1: batch assembly: 1 mean and 1 std entries for 3 channel(s)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Loader, StopsCleanlyMidPassAndWhenTheDataSetIsEmpty) {
  Dataset data = numbered();
  for (int i = 0; i < 20; ++i) {  // destroyed with workers busy or waiting: no hang
    Loader loader(data, train_options(3, 3));
    loader.begin(1);
    if (i % 2) loader.next();
  }
  Loader loader(data, train_options(1, 1));
  loader.begin(1);
  for (int s = 0; s < 5; ++s) loader.next();  // 37 examples: 4 batches of 8 and one of 5
  EXPECT_THROW(loader.next(), Error);  // past the end of the pass
  Dataset empty{torch::empty({0, 3, 6, 6}, torch::kUInt8), torch::empty({0}, torch::kInt64), {}};
  EXPECT_THROW(Loader(empty, train_options(1, 1)), Error);
}

TEST(FixedBatchSource, RepeatsTheFirstBatchForEveryStep) {
  Dataset data = numbered();
  Loader loader(data, train_options(1, 1));
  FixedBatchSource fixed(loader);
  EXPECT_EQ(fixed.begin(5), 5);
  auto a = fixed.next(), b = fixed.next();
  EXPECT_TRUE(torch::equal(a.images, b.images));
  EXPECT_EQ(fixed.size(), 37);
}

}  // namespace
}  // namespace odenet

namespace odenet {
namespace {

// Data-parallel shards: the ranks' parts of every global batch, put side by side, are the batch
// one loader delivers (examples, order and augmentation), whatever the number of ranks.
TEST(Loader, ShardsOfEveryBatchMakeUpTheWholeBatch) {
  Dataset data = numbered(37);  // batches of 8: 4 of 8 and one of 5, split unevenly over 3 ranks
  Loader whole(data, train_options(1, 2));
  auto expected = pass(whole, 4);
  for (int shards : {2, 3}) {
    std::vector<std::vector<Batch>> parts;
    for (int r = 0; r < shards; ++r) {
      LoaderOptions o = train_options(2, 2);
      o.shard = r, o.shards = shards;
      Loader loader(data, o);
      parts.push_back({});
      for (int64_t s = 0, n = loader.begin(4); s < n; ++s) {
        Batch b = loader.next();
        EXPECT_EQ(b.total, expected[static_cast<size_t>(s)].labels.size(0)) << "step " << s;
        parts.back().push_back({b.images.clone(), b.labels.clone(), b.total});
      }
    }
    for (size_t s = 0; s < expected.size(); ++s) {
      std::vector<torch::Tensor> images, labels;
      for (int r = 0; r < shards; ++r) {
        images.push_back(parts[static_cast<size_t>(r)][s].images);
        labels.push_back(parts[static_cast<size_t>(r)][s].labels);
      }
      EXPECT_TRUE(torch::equal(torch::cat(images), expected[s].images)) << shards << " shards, step " << s;
      EXPECT_TRUE(torch::equal(torch::cat(labels), expected[s].labels)) << shards << " shards, step " << s;
    }
  }
  LoaderOptions bad = train_options(1, 1);
  bad.shard = 2, bad.shards = 2;
  EXPECT_THROW(Loader(data, bad), Error);
}

}  // namespace
}  // namespace odenet
