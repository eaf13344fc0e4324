// The antialiased resize against torchvision's (resized_crop with antialias=True, torchvision
// 0.14 on the same torch build): a noise image (the hardest case for a resampler) and a smooth
// one, boxes that shrink a crop by up to 2.2× and enlarge one by 2.8×. Acceptance (#32): mean
// absolute difference ≤ 1 level; measured here: ≤ 0.001 levels, never more than 1 (float
// rounding at a .5 boundary), so the test holds it to 0.01.
#include "data/image_resize.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "tests/support/test_support.h"

namespace odenet {
namespace {

const std::vector<std::array<int64_t, 6>> kBoxes{  // top, left, height, width → out height, width
    {0, 0, 375, 500, 224, 224}, {40, 17, 300, 211, 224, 224}, {100, 200, 80, 100, 224, 224}, {3, 5, 224, 224, 224, 224},
    {10, 10, 257, 341, 113, 150}};

TEST(ImageResize, AntialiasedLikeTorchvision) {
  test::ScratchDir dir;
  test::write_text(dir / "resize.py", R"(
import json, sys, torch
import torch.nn.functional as NF
import torchvision.transforms.functional as F
out, boxes = sys.argv[1], json.loads(sys.argv[2])
g = torch.Generator().manual_seed(0)
noise = torch.randint(0, 256, (3, 375, 500), dtype=torch.uint8, generator=g)
coarse = torch.rand((1, 3, 12, 16), generator=g) * 255
smooth = NF.interpolate(coarse, size=(375, 500), mode="bicubic", align_corners=False)[0].clamp(0, 255).round().to(torch.uint8)
for name, img in (("noise", noise), ("smooth", smooth)):
    open(f"{out}/{name}.raw", "wb").write(bytes(img.permute(1, 2, 0).contiguous().flatten().tolist()))
    for k, (t, l, h, w, oh, ow) in enumerate(boxes):
        r = F.resized_crop(img, t, l, h, w, [oh, ow], antialias=True)
        open(f"{out}/{name}_{k}.raw", "wb").write(bytes(r.permute(1, 2, 0).contiguous().flatten().tolist()))
)");
  const nlohmann::json boxes = kBoxes;
  const auto r = test::run_shell("/usr/bin/python3 " + dir / "resize.py" + " " + dir.path() + " '" + boxes.dump() + "' 2>&1");
  if (r.status != 0) GTEST_SKIP() << "no python3-torchvision here (scripts/setup.sh installs it): " << r.output;
  auto read = [&](const std::string& name) {
    const std::string bytes = test::read_text(dir / name);
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  };
  for (const char* image : {"noise", "smooth"}) {
    const std::vector<uint8_t> src = read(std::string(image) + ".raw");
    ASSERT_EQ(src.size(), 375u * 500 * 3);
    for (size_t k = 0; k < kBoxes.size(); ++k) {
      const auto [top, left, height, width, out_h, out_w] = kBoxes[k];
      std::vector<uint8_t> ours(static_cast<size_t>(out_h * out_w * 3));
      resize_antialiased(src.data(), 500 * 3, 3, CropBox{top, left, height, width}, out_h, out_w, ours.data());
      const std::vector<uint8_t> theirs = read(std::string(image) + "_" + std::to_string(k) + ".raw");
      ASSERT_EQ(theirs.size(), ours.size());
      double total = 0;
      int worst = 0;
      for (size_t i = 0; i < ours.size(); ++i) {
        const int d = std::abs(int(ours[i]) - int(theirs[i]));
        total += d;
        worst = std::max(worst, d);
      }
      const double mean = total / static_cast<double>(ours.size());
      std::printf("  %s box %zu (%ldx%ld -> %ldx%ld): mean |diff| %.4f levels, max %d\n", image, k, height, width, out_h,
                  out_w, mean, worst);
      EXPECT_LE(mean, 0.01) << image << " box " << k;  // the issue asks ≤ 1; float rounding alone differs
      EXPECT_LE(worst, 1) << image << " box " << k;
    }
  }
}

}  // namespace
}  // namespace odenet
