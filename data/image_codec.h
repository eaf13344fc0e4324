// JPEG and PNG decoding (libjpeg-turbo, libpng) to interleaved 8-bit pixels.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace odenet {

struct Image {
  int width = 0, height = 0, channels = 0;  ///< channels: 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;              ///< row-major, interleaved (HWC)
};

/// Decodes a .jpg/.jpeg or .png file (by content, not name); a corrupt file is a DataError naming it.
Image decode_image_file(const std::string& path);

/// Converts between gray and RGB (luma for RGB → gray, replication for gray → RGB).
Image convert_channels(Image image, int channels);

/// Encoders, used by tests and tools to make small image sets.
void write_png(const std::string& path, const Image& image);
void write_jpeg(const std::string& path, const Image& image, int quality);

}  // namespace odenet
