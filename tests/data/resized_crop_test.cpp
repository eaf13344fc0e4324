// ImageNet augmentation's geometry against torchvision itself (Debian's python3-torchvision,
// the same torch build): RandomResizedCrop's boxes draw for draw from the same seeds, and
// Resize + CenterCrop's sizes and offsets.
#include "data/resized_crop.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <vector>

#include "tests/support/test_support.h"

namespace odenet {
namespace {

const std::vector<std::array<int64_t, 2>> kSizes{{375, 500}, {500, 375}, {224, 224}, {32, 32},
                                                 {1000, 100}, {100, 1000}, {7, 9}, {333, 1}};

// torchvision's answers for every size: boxes for seeds 0..39, the resized size and centre crop.
nlohmann::json torchvision_answers(const test::ScratchDir& dir) {
  test::write_text(dir / "answers.py", R"(
import json, sys, torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
sizes = json.loads(sys.argv[1])
out = []
for h, w in sizes:
    img = torch.arange(h * w, dtype=torch.float64).reshape(1, h, w)
    boxes = []
    for seed in range(40):
        torch.manual_seed(seed)
        boxes.append(list(T.RandomResizedCrop.get_params(img, [0.08, 1.0], [3.0 / 4.0, 4.0 / 3.0])))
    resized = list(F.resize(img, 256).shape[1:]) if min(h, w) > 1 else None
    crop = min(h, w, 24)
    corner = int(F.center_crop(img, [crop, crop])[0, 0, 0].item())
    out.append({"boxes": boxes, "resized": resized, "crop": crop, "center": [corner // w, corner % w]})
print(json.dumps(out))
)");
  nlohmann::json sizes = kSizes;
  const auto r = test::run_shell("/usr/bin/python3 " + dir / "answers.py" + " '" + sizes.dump() + "' 2>&1");
  if (r.status != 0) return nullptr;
  return nlohmann::json::parse(r.output.substr(r.output.find('[')));
}

TEST(ResizedCrop, BoxesSizesAndCentresAreTorchvisions) {
  test::ScratchDir dir;
  const nlohmann::json answers = torchvision_answers(dir);
  if (answers.is_null()) GTEST_SKIP() << "no python3-torchvision here (scripts/setup.sh installs it)";
  ASSERT_EQ(answers.size(), kSizes.size());
  int fallbacks = 0;
  for (size_t k = 0; k < kSizes.size(); ++k) {
    const auto [h, w] = kSizes[k];
    for (int seed = 0; seed < 40; ++seed) {
      at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
      const CropBox box = random_resized_crop_box(h, w, ResizedCropOptions{}, generator);
      const auto& expected = answers[k]["boxes"][seed];
      EXPECT_EQ((std::vector<int64_t>{box.top, box.left, box.height, box.width}), expected.get<std::vector<int64_t>>())
          << h << "x" << w << " seed " << seed;
      EXPECT_GE(box.top, 0);
      EXPECT_LE(box.top + box.height, h);
      EXPECT_LE(box.left + box.width, w);
      if ((h == 333 && w == 1) && box.height < h) ++fallbacks;
    }
    if (!answers[k]["resized"].is_null()) {
      EXPECT_EQ(resized_size(h, w, 256), (answers[k]["resized"].get<std::array<int64_t, 2>>())) << h << "x" << w;
    }
    const int64_t crop = answers[k]["crop"].get<int64_t>();
    const CropBox centre = center_crop_box(h, w, crop);
    EXPECT_EQ((std::array<int64_t, 2>{centre.top, centre.left}), (answers[k]["center"].get<std::array<int64_t, 2>>()))
        << h << "x" << w;
  }
  EXPECT_EQ(fallbacks, 40) << "a 333x1 image never fits the ratio range: every draw falls back to the centre crop";
}

}  // namespace
}  // namespace odenet
