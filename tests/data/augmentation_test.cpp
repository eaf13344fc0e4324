#include "data/augmentation.h"

#include <gtest/gtest.h>

namespace odenet {
namespace {

Dataset ramp() {  // one 1×4×4 image with pixel value 16y + x
  auto images = torch::arange(16, torch::kUInt8).reshape({1, 1, 4, 4});
  return Dataset{images, torch::zeros({1}, torch::kInt64), {"0"}};
}

TEST(Augmentation, CentreViewIsNormalisedExactly) {
  AugmentOptions o{4, true, {0.5}, {0.25}, false};
  std::mt19937_64 rng(0);
  auto x = make_batch(ramp(), {0}, o, /*train=*/false, rng);
  auto expected = (torch::arange(16, torch::kFloat32).reshape({1, 1, 4, 4}) / 255.0 - 0.5) / 0.25;
  EXPECT_TRUE(torch::allclose(x, expected, 1e-6, 1e-6));
}

TEST(Augmentation, CropsAreShiftsOfThePaddedImageAndFlipsMirror) {
  AugmentOptions o{1, true, {0.0}, {1.0 / 255.0}, false};  // output = raw pixel value
  std::mt19937_64 rng(3);
  auto img = torch::arange(16, torch::kFloat32).reshape({4, 4});
  auto padded = torch::zeros({6, 6});
  padded.slice(0, 1, 5).slice(1, 1, 5).copy_(img);
  int matched = 0;
  for (int trial = 0; trial < 50; ++trial) {
    auto x = make_batch(ramp(), {0}, o, true, rng)[0][0];
    for (int dy = 0; dy <= 2; ++dy)
      for (int dx = 0; dx <= 2; ++dx) {
        auto window = padded.slice(0, dy, dy + 4).slice(1, dx, dx + 4);
        if (torch::equal(x, window) || torch::equal(x, window.flip({1}))) ++matched;
      }
  }
  EXPECT_GE(matched, 50);  // every draw is some padded crop, possibly mirrored
}

TEST(Augmentation, ChannelsLastHasTheSameValues) {
  auto rgb = torch::arange(48, torch::kUInt8).reshape({1, 3, 4, 4});
  Dataset data{rgb, torch::zeros({1}, torch::kInt64), {"0"}};
  AugmentOptions a{0, false, {0.2, 0.3, 0.4}, {0.3, 0.2, 0.1}, false}, b = a;
  b.channels_last = true;
  std::mt19937_64 r1(0), r2(0);
  auto x = make_batch(data, {0, 0}, a, false, r1), y = make_batch(data, {0, 0}, b, false, r2);
  EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(y.is_contiguous());
  EXPECT_TRUE(torch::equal(x, y));
  // One channel: NCHW, the same bytes either way.
  EXPECT_TRUE(make_batch(ramp(), {0}, AugmentOptions{0, false, {0.2}, {0.3}, true}, false, r1).is_contiguous());
}

}  // namespace
}  // namespace odenet
