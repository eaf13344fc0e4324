// One training view of a JPEG, as an ImageNet loader makes it per image and epoch: only the
// crop's rows and columns decoded, at a reduced DCT scale where the target size allows, then
// resized (antialiased) to the network's input.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/image_codec.h"
#include "data/resized_crop.h"

namespace odenet {

/// `box` (in the full image's pixels) of the JPEG `bytes` at out_height × out_width, interleaved
/// 8-bit (1 or 3 channels as the file holds). Errors name `path`.
Image decode_resized_crop(const std::vector<uint8_t>& bytes, const std::string& path, const CropBox& box,
                          int64_t out_height, int64_t out_width);

}  // namespace odenet
