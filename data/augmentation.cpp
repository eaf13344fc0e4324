#include "data/augmentation.h"

#include <fmt/format.h>

#include "core/error.h"

namespace odenet {

std::vector<View> draw_views(int64_t n, const AugmentOptions& o, std::mt19937_64& rng) {
  std::vector<View> views(static_cast<size_t>(n));
  std::uniform_int_distribution<int> offset(0, 2 * o.pad);
  std::bernoulli_distribution coin(0.5);
  for (auto& v : views) {
    if (o.pad > 0) {
      v.dy = offset(rng) - o.pad;
      v.dx = offset(rng) - o.pad;
    }
    if (o.flip) v.mirror = coin(rng);
  }
  return views;
}

torch::Tensor empty_batch(const Dataset& data, int64_t n, const AugmentOptions& o, bool pinned) {
  auto options = torch::TensorOptions().dtype(torch::kFloat32).pinned_memory(pinned);
  // One channel: both layouts hold the same bytes, and LibTorch 1.13's oneDNN crashed (heap
  // corruption) on such a batch with NHWC strides feeding a 4-wide first convolution: keep NCHW.
  if (o.channels_last && data.channels() > 1) options = options.memory_format(at::MemoryFormat::ChannelsLast);
  return torch::empty({n, data.channels(), data.height(), data.width()}, options);
}

PixelNormalisation pixel_normalisation(const AugmentOptions& o, int64_t c) {
  if (static_cast<int64_t>(o.mean.size()) != c || static_cast<int64_t>(o.std.size()) != c)
    throw Error(fmt::format("batch assembly: {} mean and {} std entries for {} channel(s)", o.mean.size(), o.std.size(), c));
  PixelNormalisation p{std::vector<float>(c), std::vector<float>(c)};
  for (int64_t ch = 0; ch < c; ++ch) {
    p.scale[ch] = static_cast<float>(1.0 / (255.0 * o.std[ch]));
    p.shift[ch] = static_cast<float>(-o.mean[ch] / o.std[ch]);  // a zero (black) pixel after normalisation
  }
  return p;
}

void assemble_batch(const Dataset& data, const int64_t* indices, int64_t n, const std::vector<View>& views,
                    const AugmentOptions& o, torch::Tensor& out) {
  const int64_t c = data.channels(), h = data.height(), w = data.width();
  const PixelNormalisation norm = pixel_normalisation(o, c);
  const std::vector<float>& scale = norm.scale;
  const std::vector<float>& shift = norm.shift;
  if (data.stream) throw Error("batch assembly: a streamed data set's batches are assemble_stream_batch's");
  if (data.images.scalar_type() != torch::kUInt8 || !data.images.is_contiguous())
    throw Error("batch assembly: the data set's images must be contiguous uint8");
  TORCH_CHECK(out.size(0) >= n && out.scalar_type() == torch::kFloat32, "batch buffer too small or not float");
  const auto sn = out.stride(0), sc = out.stride(1), sh = out.stride(2), sw = out.stride(3);
  float* dst_base = out.data_ptr<float>();
  const uint8_t* src = data.images.data_ptr<uint8_t>();
  const int64_t count = data.size();
  for (int64_t i = 0; i < n; ++i) {
    const View v = views.empty() ? View{} : views[i];
    if (indices[i] < 0 || indices[i] >= count)
      throw Error(fmt::format("batch assembly: example {} is outside the data set (size {})", indices[i], count));
    const uint8_t* image = src + indices[i] * c * h * w;
    for (int64_t ch = 0; ch < c; ++ch) {
      const uint8_t* plane = image + ch * h * w;
      float* dst = dst_base + i * sn + ch * sc;
      for (int64_t y = 0; y < h; ++y) {
        const int64_t sy = y + v.dy;
        float* row = dst + y * sh;
        if (sy < 0 || sy >= h) {
          for (int64_t x = 0; x < w; ++x) row[x * sw] = shift[ch];
          continue;
        }
        const uint8_t* line = plane + sy * w;
        for (int64_t x = 0; x < w; ++x) {
          const int64_t sx = (v.mirror ? w - 1 - x : x) + v.dx;
          row[x * sw] = (sx < 0 || sx >= w) ? shift[ch] : line[sx] * scale[ch] + shift[ch];
        }
      }
    }
  }
}

torch::Tensor make_batch(const Dataset& data, const std::vector<int64_t>& indices, const AugmentOptions& o, bool train,
                         std::mt19937_64& rng) {
  const auto n = static_cast<int64_t>(indices.size());
  auto batch = empty_batch(data, n, o);
  assemble_batch(data, indices.data(), n, train ? draw_views(n, o, rng) : std::vector<View>{}, o, batch);
  return batch;
}

}  // namespace odenet
