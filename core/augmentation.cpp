#include "core/augmentation.h"

namespace odenet {

torch::Tensor make_batch(const Dataset& data, const std::vector<int64_t>& indices, const AugmentOptions& o,
                         bool train, std::mt19937_64& rng) {
  const int64_t n = static_cast<int64_t>(indices.size()), c = data.channels(), h = data.height(), w = data.width();
  auto options = torch::TensorOptions().dtype(torch::kFloat32);
  auto batch = o.channels_last ? torch::empty({n, c, h, w}, options.memory_format(at::MemoryFormat::ChannelsLast))
                               : torch::empty({n, c, h, w}, options);
  const auto sn = batch.stride(0), sc = batch.stride(1), sh = batch.stride(2), sw = batch.stride(3);
  float* out = batch.data_ptr<float>();
  const uint8_t* src = data.images.data_ptr<uint8_t>();
  std::vector<float> scale(c), shift(c), pad_value(c);
  for (int64_t ch = 0; ch < c; ++ch) {
    scale[ch] = static_cast<float>(1.0 / (255.0 * o.std[ch]));
    shift[ch] = static_cast<float>(-o.mean[ch] / o.std[ch]);
    pad_value[ch] = shift[ch];  // a zero (black) pixel after normalisation
  }
  std::uniform_int_distribution<int> offset(0, 2 * o.pad);
  std::bernoulli_distribution coin(0.5);
  for (int64_t i = 0; i < n; ++i) {
    // Crop window origin in padded coordinates, shifted back to the image's.
    int dy = 0, dx = 0;
    bool mirror = false;
    if (train) {
      if (o.pad > 0) {
        dy = offset(rng) - o.pad;
        dx = offset(rng) - o.pad;
      }
      if (o.flip) mirror = coin(rng);
    }
    const uint8_t* image = src + indices[i] * c * h * w;
    for (int64_t ch = 0; ch < c; ++ch) {
      const uint8_t* plane = image + ch * h * w;
      float* dst = out + i * sn + ch * sc;
      for (int64_t y = 0; y < h; ++y) {
        int64_t sy = y + dy;
        for (int64_t x = 0; x < w; ++x) {
          int64_t sx = (mirror ? w - 1 - x : x) + dx;
          dst[y * sh + x * sw] = (sy < 0 || sy >= h || sx < 0 || sx >= w)
                                     ? pad_value[ch]
                                     : plane[sy * w + sx] * scale[ch] + shift[ch];
        }
      }
    }
  }
  return batch;
}

}  // namespace odenet
