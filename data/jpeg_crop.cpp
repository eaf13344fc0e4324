#include "data/jpeg_crop.h"

#include "data/image_resize.h"

namespace odenet {

Image decode_resized_crop(const std::vector<uint8_t>& bytes, const std::string& path, const CropBox& box,
                          int64_t out_height, int64_t out_width) {
  const DecodedRegion region = decode_jpeg_region(bytes, path, box, out_height, out_width);
  Image out{static_cast<int>(out_width), static_cast<int>(out_height), region.image.channels, {}};
  out.pixels.resize(static_cast<size_t>(out_height * out_width * out.channels));
  resize_antialiased(region.image.pixels.data(), static_cast<int64_t>(region.image.width) * region.image.channels,
                     region.image.channels, region.box, out_height, out_width, out.pixels.data());
  return out;
}

}  // namespace odenet
