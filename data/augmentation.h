// Turns raw uint8 examples into a normalised float batch, with the CIFAR
// training augmentation: zero-pad and random crop, random horizontal flip.
// The random draws are separate from the pixel work, so that any pipeline
// (this CPU one, a device-resident one) can be checked against the same draws.
#pragma once
#include <torch/types.h>

#include <random>
#include <vector>

#include "data/dataset.h"

namespace odenet {

struct AugmentOptions {
  int pad = 0;                 ///< pad-and-crop margin (0: no crop)
  bool flip = false;           ///< random horizontal flip with probability ½
  std::vector<double> mean;    ///< per channel, in [0, 1] pixel units
  std::vector<double> std;     ///< per channel
  bool channels_last = false;  ///< lay the batch out as NHWC in memory
};

/// x = pixel · scale + shift per channel: (pixel/255 − mean)/std, as the batch assemblers write it.
struct PixelNormalisation {
  std::vector<float> scale, shift;
};
/// The normalisation of `options` for `channels` channels; a mean or std of another length is an Error.
PixelNormalisation pixel_normalisation(const AugmentOptions& options, int64_t channels);

/// One example's view: the crop window's offset from the image origin (in [−pad, pad]) and a mirror.
struct View {
  int dy = 0, dx = 0;
  bool mirror = false;
};

/// `n` random views (offsets uniform in [−pad, pad], mirror with probability ½ when `flip`).
std::vector<View> draw_views(int64_t n, const AugmentOptions& options, std::mt19937_64& rng);

/// Writes examples `indices` of `data`, seen through `views` (empty: the centre view), into
/// `out` (float [n, C, H, W], any memory format): x = (pixel/255 − mean)/std, zero pixels outside.
void assemble_batch(const Dataset& data, const int64_t* indices, int64_t n, const std::vector<View>& views,
                    const AugmentOptions& options, torch::Tensor& out);

/// An empty float batch [n, C, H, W] of `data`'s shape in `options`' memory format (NCHW for
/// one channel, where the two layouts hold the same bytes).
torch::Tensor empty_batch(const Dataset& data, int64_t n, const AugmentOptions& options, bool pinned = false);

/// Builds the float batch of examples `indices` of `data` in one call: random views drawn
/// from `rng` when `train`, the centre view otherwise.
torch::Tensor make_batch(const Dataset& data, const std::vector<int64_t>& indices, const AugmentOptions& options,
                         bool train, std::mt19937_64& rng);

}  // namespace odenet
