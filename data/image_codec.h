// JPEG and PNG decoding (libjpeg-turbo, libpng) to interleaved 8-bit pixels.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/resized_crop.h"

namespace odenet {

struct Image {
  int width = 0, height = 0, channels = 0;  ///< channels: 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;              ///< row-major, interleaved (HWC)
};

/// Decodes a .jpg/.jpeg or .png file (by content, not name); a corrupt file is a DataError naming it.
Image decode_image_file(const std::string& path);
/// Decodes JPEG or PNG `bytes` (by content) read from `path`, the name errors give.
Image decode_image(const std::vector<uint8_t>& bytes, const std::string& path);
/// A whole file's bytes; a DataError naming `path` when it cannot be read (or is a directory).
std::vector<uint8_t> read_file_bytes(const std::string& path);
/// Likewise into `bytes`, its capacity reused (a loader reads one image after another).
void read_file_into(const std::string& path, std::vector<uint8_t>& bytes);
/// Whether a file name ends in .jpg, .jpeg or .png (any case): what image folders hold.
bool is_image_file_name(const std::string& name);
/// Whether `bytes` start as a JPEG does (the SOI marker).
bool is_jpeg(const std::vector<uint8_t>& bytes);

/// The {height, width} a JPEG's or PNG's header declares, from the file's first bytes (at least
/// up to the JPEG's frame header); a DataError naming `path` for anything else.
std::array<int64_t, 2> image_size(const std::vector<uint8_t>& bytes, const std::string& path);

/// The height and width a JPEG's header declares (no pixels decoded); a DataError naming `path`
/// for a file that is not a readable JPEG.
std::array<int64_t, 2> jpeg_size(const std::vector<uint8_t>& bytes, const std::string& path);

/// A DataError naming `path` unless `box` lies inside a height × width image.
void check_region(const CropBox& box, int64_t height, int64_t width, const std::string& path);

/// A region of a JPEG as `decode_jpeg_region` returns it.
struct DecodedRegion {
  Image image;            ///< the decoded rows, and columns from an iMCU boundary before the region's
  CropBox box;            ///< the requested region within `image`, in its (scaled) pixels
  int scale_eighths = 8;  ///< M: decoded at M/8 of the full size
};

/// Decodes only `region` of a JPEG (rows skipped with jpeg_skip_scanlines, columns cropped with
/// jpeg_crop_scanline) at the smallest DCT scale M/8 (libjpeg-turbo's, M = 1..8) that keeps the
/// region at least `min_height` × `min_width` pixels: a crop bound for 224 × 224 decodes an
/// eighth to a half of the work a full decode does. Errors as decode_image_file's.
DecodedRegion decode_jpeg_region(const std::vector<uint8_t>& bytes, const std::string& path, const CropBox& region,
                                 int64_t min_height, int64_t min_width);

/// Converts between gray and RGB (luma for RGB → gray, replication for gray → RGB).
Image convert_channels(Image image, int channels);

/// Encoders: image sets made by tests and tools, and the packed format's re-encoded images.
void write_png(const std::string& path, const Image& image);
void write_jpeg(const std::string& path, const Image& image, int quality);
std::vector<uint8_t> encode_jpeg(const Image& image, int quality);

}  // namespace odenet
