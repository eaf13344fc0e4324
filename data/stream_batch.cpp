#include "data/stream_batch.h"

#include <ATen/CPUGeneratorImpl.h>

#include "core/error.h"

namespace odenet {

std::vector<StreamView> draw_stream_views(const ImageStream& stream, const int64_t* indices, int64_t n, bool flip,
                                          uint64_t seed) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<StreamView> views;
  views.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) views.push_back(stream.draw_view(indices[i], flip, generator));
  return views;
}

StreamBatchResult assemble_stream_batch(const ImageStream& stream, const int64_t* indices, int64_t n,
                                        const std::vector<StreamView>& views, const AugmentOptions& o, torch::Tensor& out) {
  const int64_t c = stream.transform().channels, h = stream.transform().crop, w = h;
  const bool raw = out.scalar_type() == torch::kUInt8;
  TORCH_CHECK(out.size(0) >= n, "stream batch buffer too small");
  const PixelNormalisation norm = raw ? PixelNormalisation{} : pixel_normalisation(o, c);
  thread_local std::vector<uint8_t> bytes, pixels;
  pixels.resize(static_cast<size_t>(h * w * c));
  StreamBatchResult result;
  for (int64_t i = 0; i < n; ++i) {
    const auto slot = static_cast<int64_t>(result.kept.size());
    uint8_t* dst = raw ? out[slot].data_ptr<uint8_t>() : pixels.data();
    try {
      stream.decode(indices[i], views.empty() ? nullptr : &views[static_cast<size_t>(i)], dst, bytes);
    } catch (const DataError& e) {
      if (!stream.transform().skip_corrupt) throw;
      result.skipped.push_back(e.what());
      continue;
    }
    result.kept.push_back(i);
    if (raw) continue;
    float* base = out.data_ptr<float>() + slot * out.stride(0);
    const auto sc = out.stride(1), sh = out.stride(2), sw = out.stride(3);
    for (int64_t ch = 0; ch < c; ++ch)  // plane by plane: NCHW writes run contiguous
      for (int64_t y = 0; y < h; ++y) {
        const uint8_t* in = pixels.data() + y * w * c + ch;
        float* row = base + ch * sc + y * sh;
        for (int64_t x = 0; x < w; ++x) row[x * sw] = in[x * c] * norm.scale[ch] + norm.shift[ch];
      }
  }
  return result;
}

torch::Tensor normalize_batch(const torch::Tensor& interleaved, const AugmentOptions& o) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(interleaved.device());
  const int64_t c = interleaved.size(3);
  const auto mean = torch::tensor(o.mean, torch::kFloat64).to(options).mul(255.0).view({1, c, 1, 1});
  const auto std = torch::tensor(o.std, torch::kFloat64).to(options).mul(255.0).view({1, c, 1, 1});
  // permute gives NCHW sizes over NHWC memory: channels-last already; contiguous() makes it NCHW.
  auto x = interleaved.permute({0, 3, 1, 2}).to(torch::kFloat32).sub_(mean).div_(std);
  return o.channels_last && c > 1 ? x.contiguous(at::MemoryFormat::ChannelsLast) : x.contiguous();
}

}  // namespace odenet
