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

template <typename Out>
Out store(float v);
template <>
float store<float>(float v) { return v; }
template <>
uint8_t store<uint8_t>(float v) { return static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f) + 0.5f); }  // round half up, as PIL

// Across: each of `rows` rows of C-channel pixels → out_width pixels; C known at compile time so
// the channel loop unrolls.
template <int C, typename In, typename Out>
void resize_across(const In* src, int64_t src_stride, int64_t rows, const Taps& across, int64_t out_width, Out* dst) {
  for (int64_t y = 0; y < rows; ++y) {
    const In* row = src + y * src_stride;
    Out* out = dst + y * out_width * C;
    for (int64_t x = 0; x < out_width; ++x) {
      const float* w = across.weights.data() + x * across.stride;
      const In* p = row + across.first[x] * C;
      float sum[C] = {};
      for (int64_t k = 0, n = across.count[x]; k < n; ++k)
        for (int c = 0; c < C; ++c) sum[c] += w[k] * static_cast<float>(p[k * C + c]);
      for (int c = 0; c < C; ++c) out[x * C + c] = store<Out>(sum[c]);
    }
  }
}

// Down: out_height rows, each a weighted sum of whole source rows of `length` values (vectorised).
template <typename In, typename Out>
void resize_down(const In* src, int64_t src_stride, int64_t length, const Taps& down, int64_t out_height, Out* dst) {
  std::vector<float> sum(static_cast<size_t>(length));
  for (int64_t y = 0; y < out_height; ++y) {
    const float* w = down.weights.data() + y * down.stride;
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int64_t k = 0; k < down.count[y]; ++k) {
      const In* row = src + (down.first[y] + k) * src_stride;
      const float weight = w[k];
      for (int64_t i = 0; i < length; ++i) sum[static_cast<size_t>(i)] += weight * static_cast<float>(row[i]);
    }
    Out* out = dst + y * length;
    for (int64_t i = 0; i < length; ++i) out[i] = store<Out>(sum[static_cast<size_t>(i)]);
  }
}

// Both passes, in float between them, the vectorised one first when it shrinks the rows the other
// must visit (a reduction in height), else across first.
template <int C>
void resize_box(const uint8_t* src, int64_t stride, const CropBox& box, int64_t out_height, int64_t out_width, uint8_t* dst) {
  const Taps across = taps(box.width, out_width), down = taps(box.height, out_height);
  const uint8_t* origin = src + box.top * stride + box.left * C;
  if (box.height > out_height) {
    std::vector<float> rows(static_cast<size_t>(out_height * box.width * C));
    resize_down(origin, stride, box.width * C, down, out_height, rows.data());
    resize_across<C>(rows.data(), box.width * C, out_height, across, out_width, dst);
  } else {
    std::vector<float> rows(static_cast<size_t>(box.height * out_width * C));
    resize_across<C>(origin, stride, box.height, across, out_width, rows.data());
    resize_down(rows.data(), out_width * C, out_width * C, down, out_height, dst);
  }
}

}  // namespace

void resize_antialiased(const uint8_t* src, int64_t stride, int64_t channels, const CropBox& box, int64_t out_height,
                        int64_t out_width, uint8_t* dst) {
  switch (channels) {
    case 1: return resize_box<1>(src, stride, box, out_height, out_width, dst);
    case 2: return resize_box<2>(src, stride, box, out_height, out_width, dst);
    case 3: return resize_box<3>(src, stride, box, out_height, out_width, dst);
    case 4: return resize_box<4>(src, stride, box, out_height, out_width, dst);
    default: throw std::invalid_argument("resize_antialiased: 1 to 4 channels");
  }
}

}  // namespace odenet
