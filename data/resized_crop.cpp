#include "data/resized_crop.h"

#include <torch/torch.h>

#include <array>
#include <cfenv>
#include <cmath>

namespace odenet {
namespace {

// Python's round(): to the nearest integer, halves to even (std::nearbyint in the default mode).
int64_t python_round(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

double uniform_float32(double from, double to, at::Generator& generator) {
  return torch::empty({1}, torch::kFloat32).uniform_(from, to, generator).item<double>();
}

}  // namespace

CropBox random_resized_crop_box(int64_t height, int64_t width, const ResizedCropOptions& o, at::Generator& generator) {
  const double area = static_cast<double>(height * width);
  const auto log_ratio = torch::log(torch::tensor({o.ratio_min, o.ratio_max}, torch::kFloat32));
  const double log_min = log_ratio[0].item<double>(), log_max = log_ratio[1].item<double>();
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * uniform_float32(o.scale_min, o.scale_max, generator);
    const double aspect_ratio =
        torch::exp(torch::empty({1}, torch::kFloat32).uniform_(log_min, log_max, generator)).item<double>();
    const int64_t w = python_round(std::sqrt(target_area * aspect_ratio));
    const int64_t h = python_round(std::sqrt(target_area / aspect_ratio));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const int64_t top = torch::randint(0, height - h + 1, {1}, generator).item<int64_t>();
      const int64_t left = torch::randint(0, width - w + 1, {1}, generator).item<int64_t>();
      return {top, left, h, w};
    }
  }
  // No try fitted: the centre crop, clamped to the ratio range.
  const double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  int64_t w = width, h = height;
  if (in_ratio < o.ratio_min) {
    h = python_round(static_cast<double>(w) / o.ratio_min);
  } else if (in_ratio > o.ratio_max) {
    w = python_round(static_cast<double>(h) * o.ratio_max);
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

std::array<int64_t, 2> resized_size(int64_t height, int64_t width, int64_t shorter) {
  if (height <= width) return {shorter, static_cast<int64_t>(static_cast<double>(shorter) * width / height)};
  return {static_cast<int64_t>(static_cast<double>(shorter) * height / width), shorter};
}

CropBox center_crop_box(int64_t height, int64_t width, int64_t crop) {
  return {python_round((height - crop) / 2.0), python_round((width - crop) / 2.0), crop, crop};
}

}  // namespace odenet
