// Resampling a crop of an 8-bit image to the network's input size, as PIL's and torchvision's
// antialiased bilinear resize do (torchvision's `antialias=True`): a triangle filter whose support
// widens by the reduction factor, so a downscale averages every source pixel it covers instead
// of sampling (aliasing) a few.
#pragma once
#include <cstdint>

#include "data/resized_crop.h"

namespace odenet {

/// Resizes rows [box.top, +box.height) × columns [box.left, +box.width) of an interleaved 8-bit
/// image (`channels` per pixel, 1 to 4, rows `stride` bytes apart) to out_height × out_width into `dst`
/// (interleaved, tightly packed): separable (the vertical pass first when it reduces the height), kept in float between the
/// passes; each output is round(Σ weight · pixel) clamped to [0, 255]. Output pixel x samples the
/// source around (x + ½) · scale with weights max(0, 1 − |d| / s), s = max(scale, 1), normalised.
void resize_antialiased(const uint8_t* src, int64_t stride, int64_t channels, const CropBox& box, int64_t out_height,
                        int64_t out_width, uint8_t* dst);

}  // namespace odenet
