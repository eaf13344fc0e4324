// The geometry of ImageNet-style augmentation, as torchvision computes it: RandomResizedCrop's
// window (a random area fraction and aspect ratio, 10 tries, then a centre crop) for training,
// and Resize(shorter side) + CenterCrop for evaluation. Only boxes and sizes here; the pixels
// are the decoder's and the resizer's business.
#pragma once
#include <ATen/core/Generator.h>

#include <cstdint>

namespace odenet {

/// Rows [top, top + height) and columns [left, left + width) of an image.
struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
  bool operator==(const CropBox& o) const {
    return top == o.top && left == o.left && height == o.height && width == o.width;
  }
};

struct ResizedCropOptions {
  double scale_min = 0.08, scale_max = 1.0;        ///< the crop's area as a fraction of the image's
  double ratio_min = 3.0 / 4.0, ratio_max = 4.0 / 3.0;  ///< the crop's width / height
};

/// torchvision's RandomResizedCrop.get_params, draw for draw: a float32 uniform area fraction
/// and log aspect ratio per try, Python's round-half-to-even, up to 10 tries, then the centre
/// crop clamped to the ratio range. Given a generator seeded as torch.manual_seed(s) seeds
/// Python's, the boxes are torchvision's (tests/data/resized_crop_test.cpp runs torchvision).
CropBox random_resized_crop_box(int64_t height, int64_t width, const ResizedCropOptions& options, at::Generator& generator);

/// torchvision's Resize(shorter) on an image of height × width: {height, width} with the shorter
/// side `shorter` and the longer scaled and truncated, int(shorter · long / short).
std::array<int64_t, 2> resized_size(int64_t height, int64_t width, int64_t shorter);

/// torchvision's CenterCrop(crop) window: offsets int(round((side − crop) / 2)).
CropBox center_crop_box(int64_t height, int64_t width, int64_t crop);

}  // namespace odenet
