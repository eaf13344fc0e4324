// One view of an encoded image, as an ImageNet loader makes it per image and epoch: for a JPEG,
// only the crop's rows and columns decoded (at a reduced DCT scale if asked), then resized
// (antialiased) to the network's input; any other image decoded whole, then resized.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/image_codec.h"
#include "data/resized_crop.h"

namespace odenet {

/// `box` (in the full image's pixels) of the image `bytes` at out_height × out_width, interleaved
/// 8-bit (1 or 3 channels as the file holds). `dct_scaling`: a JPEG is decoded at M/8 of its size
/// where the box stays at least twice the target — faster for large photographs, but the IDCT's
/// reduction is a different low-pass than the resize's (views ~2 levels from torchvision's instead
/// of 0.2). Errors name `path`.
Image decode_resized_crop(const std::vector<uint8_t>& bytes, const std::string& path, const CropBox& box,
                          int64_t out_height, int64_t out_width, bool dct_scaling = false);

}  // namespace odenet
