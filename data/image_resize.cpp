#include "data/image_resize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace odenet {
namespace {

// For each output index: the first source index and the normalised weights (PIL's
// precompute_coeffs with the bilinear filter, support 1).
struct Taps {
  std::vector<int64_t> first;
  std::vector<int64_t> count;
  std::vector<float> weights;  ///< `stride` per output index
  int64_t stride = 0;
};

Taps taps(int64_t in_size, int64_t out_size) {
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double filter_scale = std::max(scale, 1.0);
  const double support = filter_scale;  // the triangle's support, 1, widened by the reduction
  Taps t;
  t.stride = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  t.first.resize(out_size);
  t.count.resize(out_size);
  t.weights.assign(static_cast<size_t>(out_size * t.stride), 0.0f);
  for (int64_t x = 0; x < out_size; ++x) {
    const double center = (static_cast<double>(x) + 0.5) * scale;
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in_size);
    double total = 0;
    std::vector<double> w(static_cast<size_t>(hi - lo));
    for (int64_t i = lo; i < hi; ++i) {
      const double d = std::abs((static_cast<double>(i) - center + 0.5) / filter_scale);
      w[static_cast<size_t>(i - lo)] = d < 1.0 ? 1.0 - d : 0.0;
      total += w[static_cast<size_t>(i - lo)];
    }
    t.first[x] = lo;
    t.count[x] = std::min<int64_t>(hi - lo, t.stride);
    for (int64_t k = 0; k < t.count[x]; ++k)
      t.weights[static_cast<size_t>(x * t.stride + k)] = static_cast<float>(total > 0 ? w[static_cast<size_t>(k)] / total : 0.0);
  }
  return t;
}

}  // namespace

void resize_antialiased(const uint8_t* src, int64_t stride, int64_t channels, const CropBox& box, int64_t out_height,
                        int64_t out_width, uint8_t* dst) {
  if (channels < 1 || channels > 4) throw std::invalid_argument("resize_antialiased: 1 to 4 channels");
  const Taps across = taps(box.width, out_width), down = taps(box.height, out_height);
  // Horizontal: every source row of the box → out_width pixels (float).
  std::vector<float> rows(static_cast<size_t>(box.height * out_width * channels));
  for (int64_t y = 0; y < box.height; ++y) {
    const uint8_t* row = src + (box.top + y) * stride + box.left * channels;
    float* out = rows.data() + y * out_width * channels;
    for (int64_t x = 0; x < out_width; ++x) {
      const float* w = across.weights.data() + x * across.stride;
      for (int64_t c = 0; c < channels; ++c) {
        float sum = 0;
        for (int64_t k = 0; k < across.count[x]; ++k) sum += w[k] * row[(across.first[x] + k) * channels + c];
        out[x * channels + c] = sum;
      }
    }
  }
  // Vertical: out_height rows from those (a weighted sum of whole rows, contiguous), rounded to 8 bits.
  const int64_t row_size = out_width * channels;
  std::vector<float> sum(static_cast<size_t>(row_size));
  for (int64_t y = 0; y < out_height; ++y) {
    const float* w = down.weights.data() + y * down.stride;
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int64_t k = 0; k < down.count[y]; ++k) {
      const float* row = rows.data() + (down.first[y] + k) * row_size;
      const float weight = w[k];
      for (int64_t i = 0; i < row_size; ++i) sum[static_cast<size_t>(i)] += weight * row[i];
    }
    uint8_t* out = dst + y * row_size;
    for (int64_t i = 0; i < row_size; ++i)
      out[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(sum[static_cast<size_t>(i)]), 0.0f, 255.0f));
  }
}

}  // namespace odenet
