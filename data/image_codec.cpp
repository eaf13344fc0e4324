#include "data/image_codec.h"

// clang-format off
#include <cstdio>
#include <jpeglib.h>
#include <png.h>
// clang-format on

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/error.h"

namespace odenet {
namespace {

// Images larger than this are refused before anything is allocated (a crafted header can claim
// 10^6 x 10^6 pixels).
constexpr uint64_t kMaxPixels = uint64_t(1) << 28;

void check_size(uint64_t width, uint64_t height, const std::string& path) {
  if (width == 0 || height == 0 || width * height > kMaxPixels)
    throw DataError(path + ": image is " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels, outside what odenet decodes (1 to 2^28 pixels)");
}

struct JpegErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  char warning[JMSG_LENGTH_MAX];  ///< the first warning: libjpeg warns about corrupt data and decodes on
};

void jpeg_error_exit(j_common_ptr info) {
  auto* err = reinterpret_cast<JpegErrorManager*>(info->err);
  (*info->err->format_message)(info, err->message);
  std::longjmp(err->jump, 1);
}

// Level −1 is a warning (corrupt or truncated data, filled in with grey); higher levels are traces.
void jpeg_emit_message(j_common_ptr info, int level) {
  if (level >= 0) return;
  auto* err = reinterpret_cast<JpegErrorManager*>(info->err);
  if (err->base.num_warnings++ == 0) (*info->err->format_message)(info, err->warning);
}

// A decompressor whose libjpeg errors longjmp to `err.jump` — the caller's setjmp, which must
// come before `read_header` — and whose warnings (corrupt data) are counted; destroyed with it.
struct JpegDecompressor {
  jpeg_decompress_struct info{};
  JpegErrorManager err{};
  JpegDecompressor() {
    info.err = jpeg_std_error(&err.base);
    err.base.error_exit = jpeg_error_exit;
    err.base.emit_message = jpeg_emit_message;
  }
  ~JpegDecompressor() { jpeg_destroy_decompress(&info); }
  JpegDecompressor(const JpegDecompressor&) = delete;
  JpegDecompressor& operator=(const JpegDecompressor&) = delete;
  // Reads the header of `bytes`; an image outside 1 to 2^28 pixels is a DataError naming `path`.
  // Asks for grey or RGB output; CMYK (and YCCK) JPEGs, which libjpeg cannot turn into RGB, are
  // read as CMYK and converted row by row (read_row).
  void read_header(const std::vector<uint8_t>& bytes, const std::string& path) {
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&info, TRUE);
    check_size(info.image_width, info.image_height, path);
    cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
  }
  // Channels of the rows read_row writes: 1 (grey) or 3.
  int channels() const { return cmyk ? 3 : info.output_components; }
  // The next scanline into `dst` (output_width × channels()). CMYK as PIL converts it:
  // R = (255 − C)(255 − K)/255, with Adobe's inverted storage (the usual) read as stored 255 − C.
  void read_row(uint8_t* dst) {
    if (!cmyk) {
      JSAMPROW row = dst;
      jpeg_read_scanlines(&info, &row, 1);
      return;
    }
    row_cmyk.resize(static_cast<size_t>(info.output_width) * 4);
    JSAMPROW row = row_cmyk.data();
    jpeg_read_scanlines(&info, &row, 1);
    const bool inverted = info.saw_Adobe_marker;
    for (JDIMENSION x = 0; x < info.output_width; ++x) {
      const uint8_t* p = &row_cmyk[4 * x];
      const int k = inverted ? p[3] : 255 - p[3];
      for (int c = 0; c < 3; ++c) {
        const int v = (inverted ? p[c] : 255 - p[c]) * k + 128;
        dst[3 * x + c] = static_cast<uint8_t>((v + (v >> 8)) >> 8);  // round(v / 255)
      }
    }
  }
  bool cmyk = false;
  std::vector<uint8_t> row_cmyk;
};

Image decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& path) {
  JpegDecompressor d;
  if (setjmp(d.err.jump)) throw DataError(path + ": corrupt JPEG (" + d.err.message + ")");
  d.read_header(bytes, path);
  jpeg_decompress_struct& info = d.info;
  JpegErrorManager& err = d.err;
  Image image;
  jpeg_start_decompress(&info);
  image.width = static_cast<int>(info.output_width);
  image.height = static_cast<int>(info.output_height);
  image.channels = d.channels();
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * image.channels);
  while (info.output_scanline < info.output_height)
    d.read_row(image.pixels.data() + static_cast<size_t>(info.output_scanline) * image.width * image.channels);
  jpeg_finish_decompress(&info);
  if (err.base.num_warnings > 0) throw DataError(path + ": corrupt JPEG data (" + err.warning + ")");  // e.g. premature end
  return image;
}

struct PngReadState {
  const std::vector<uint8_t>* bytes;
  size_t offset;
};

// libpng's warnings about colour-management chunks are harmless; any other warning means damaged data.
struct PngMessages {
  std::string error, warning;
};

Image decode_png(const std::vector<uint8_t>& bytes, const std::string& path) {
  PngMessages messages;
  png_structp png = png_create_read_struct(
      PNG_LIBPNG_VER_STRING, &messages,
      [](png_structp p, png_const_charp message) {
        static_cast<PngMessages*>(png_get_error_ptr(p))->error = message;
        png_longjmp(p, 1);
      },
      [](png_structp p, png_const_charp message) {
        auto* m = static_cast<PngMessages*>(png_get_error_ptr(p));
        const std::string text = message;
        for (const char* benign : {"iCCP", "sRGB", "cHRM", "gAMA", "iTXt", "tEXt", "zTXt"})
          if (text.rfind(benign, 0) == 0) return;
        if (m->warning.empty()) m->warning = text;
      });
  png_infop info = png_create_info_struct(png);
  // Everything a png_error's longjmp can skip over lives above the setjmp, so it is destroyed
  // (a vector declared below it would leak: longjmp runs no destructors).
  Image image;
  std::vector<png_bytep> rows;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw DataError(path + ": corrupt or truncated PNG" + (messages.error.empty() ? "" : " (" + messages.error + ")"));
  }
  PngReadState state{&bytes, 0};
  png_set_read_fn(png, &state, [](png_structp p, png_bytep out, png_size_t n) {
    auto* s = static_cast<PngReadState*>(png_get_io_ptr(p));
    if (s->offset + n > s->bytes->size()) png_error(p, "unexpected end of file");
    std::memcpy(out, s->bytes->data() + s->offset, n);
    s->offset += n;
  });
  png_read_info(png, info);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  png_set_palette_to_rgb(png);
  png_set_expand_gray_1_2_4_to_8(png);
  png_read_update_info(png, info);
  image.width = static_cast<int>(png_get_image_width(png, info));
  image.height = static_cast<int>(png_get_image_height(png, info));
  image.channels = png_get_channels(png, info);
  if (image.width <= 0 || image.height <= 0 || uint64_t(image.width) * uint64_t(image.height) > kMaxPixels) {
    const uint64_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    png_destroy_read_struct(&png, &info, nullptr);
    check_size(w, h, path);
  }
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * image.channels);
  rows.resize(image.height);
  for (int y = 0; y < image.height; ++y) rows[y] = image.pixels.data() + static_cast<size_t>(y) * image.width * image.channels;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  if (!messages.warning.empty()) throw DataError(path + ": corrupt PNG data (" + messages.warning + ")");
  return image;
}

}  // namespace

void check_region(const CropBox& box, int64_t height, int64_t width, const std::string& path) {
  if (box.top < 0 || box.left < 0 || box.height < 1 || box.width < 1 || box.top + box.height > height ||
      box.left + box.width > width)
    throw DataError(fmt::format("{}: region {}x{} at ({}, {}) outside the {}x{} image", path, box.height, box.width, box.top,
                                box.left, height, width));
}

std::array<int64_t, 2> jpeg_size(const std::vector<uint8_t>& bytes, const std::string& path) {
  JpegDecompressor d;
  if (setjmp(d.err.jump)) throw DataError(path + ": corrupt JPEG (" + d.err.message + ")");
  d.read_header(bytes, path);
  return {d.info.image_height, d.info.image_width};
}

DecodedRegion decode_jpeg_region(const std::vector<uint8_t>& bytes, const std::string& path, const CropBox& region,
                                 int64_t min_height, int64_t min_width) {
  JpegDecompressor d;
  if (setjmp(d.err.jump)) throw DataError(path + ": corrupt JPEG (" + d.err.message + ")");
  d.read_header(bytes, path);
  jpeg_decompress_struct& info = d.info;
  DecodedRegion out;
  check_region(region, info.image_height, info.image_width, path);
  // The smallest M with region · M/8 ≥ the size it will be resized to.
  int m = 8;
  while (m > 1 && region.height * (m - 1) >= 8 * min_height && region.width * (m - 1) >= 8 * min_width) --m;
  info.scale_num = static_cast<unsigned>(m);
  info.scale_denom = 8;
  jpeg_start_decompress(&info);
  // The region in scaled pixels: from its first covered pixel to its last.
  const auto scaled = [m](int64_t v) { return v * m / 8; };
  const auto scaled_end = [m](int64_t v) { return (v * m + 7) / 8; };
  const JDIMENSION top = static_cast<JDIMENSION>(scaled(region.top));
  const JDIMENSION bottom = std::min<JDIMENSION>(info.output_height, static_cast<JDIMENSION>(scaled_end(region.top + region.height)));
  const JDIMENSION left = static_cast<JDIMENSION>(scaled(region.left));
  const JDIMENSION right = std::min<JDIMENSION>(info.output_width, static_cast<JDIMENSION>(scaled_end(region.left + region.width)));
  JDIMENSION x_offset = left, columns = right - left;
  jpeg_crop_scanline(&info, &x_offset, &columns);  // widened to iMCU boundaries
  if (top > 0) jpeg_skip_scanlines(&info, top);
  Image& image = out.image;
  image.width = static_cast<int>(info.output_width);
  image.height = static_cast<int>(bottom - top);
  image.channels = d.channels();
  image.pixels.resize(static_cast<size_t>(image.width) * image.height * image.channels);
  while (info.output_scanline < bottom)
    d.read_row(image.pixels.data() + static_cast<size_t>(info.output_scanline - top) * image.width * image.channels);
  jpeg_abort_decompress(&info);  // the rows below the region are not needed
  if (d.err.base.num_warnings > 0) throw DataError(path + ": corrupt JPEG data (" + d.err.warning + ")");
  out.box = {0, static_cast<int64_t>(left - x_offset), static_cast<int64_t>(bottom - top), static_cast<int64_t>(right - left)};
  out.scale_eighths = m;
  return out;
}

void read_file_into(const std::string& path, std::vector<uint8_t>& bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw DataError(path + ": cannot open");
  bytes.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw DataError(path + ": read error");
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw DataError(path + ": is a directory, not an image");
  std::vector<uint8_t> bytes;
  read_file_into(path, bytes);
  return bytes;
}

bool is_image_file_name(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

bool is_jpeg(const std::vector<uint8_t>& bytes) { return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8; }

Image decode_image(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (is_jpeg(bytes)) return decode_jpeg(bytes, path);
  if (bytes.size() >= 8 && png_sig_cmp(bytes.data(), 0, 8) == 0) return decode_png(bytes, path);
  throw DataError(path + ": neither a JPEG nor a PNG file");
}

Image decode_image_file(const std::string& path) { return decode_image(read_file_bytes(path), path); }

std::array<int64_t, 2> image_size(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (is_jpeg(bytes)) return jpeg_size(bytes, path);
  // PNG: the signature, then the IHDR chunk's big-endian width and height at bytes 16 and 20.
  if (bytes.size() >= 24 && png_sig_cmp(bytes.data(), 0, 8) == 0) {
    auto be32 = [&](size_t at) {
      return (uint64_t(bytes[at]) << 24) | (uint64_t(bytes[at + 1]) << 16) | (uint64_t(bytes[at + 2]) << 8) | bytes[at + 3];
    };
    check_size(be32(16), be32(20), path);
    return {static_cast<int64_t>(be32(20)), static_cast<int64_t>(be32(16))};
  }
  throw DataError(path + ": neither a JPEG nor a PNG file");
}

Image convert_channels(Image image, int channels) {
  if (image.channels == channels) return image;
  size_t pixels = static_cast<size_t>(image.width) * image.height;
  std::vector<uint8_t> out(pixels * channels);
  for (size_t i = 0; i < pixels; ++i) {
    if (channels == 3) {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = image.pixels[i];
    } else {
      const uint8_t* p = &image.pixels[3 * i];
      out[i] = static_cast<uint8_t>((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
    }
  }
  image.pixels = std::move(out);
  image.channels = channels;
  return image;
}

void write_png(const std::string& path, const Image& image) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw Error(path + ": cannot create");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    throw Error(path + ": cannot write PNG");
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, image.width, image.height, 8, image.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y)
    png_write_row(png, const_cast<png_bytep>(image.pixels.data() + static_cast<size_t>(y) * image.width * image.channels));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
}

std::vector<uint8_t> encode_jpeg(const Image& image, int quality) {
  jpeg_compress_struct info{};
  jpeg_error_mgr err{};
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = image.width;
  info.image_height = image.height;
  info.input_components = image.channels;
  info.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.pixels.data() +
                                        static_cast<size_t>(info.next_scanline) * image.width * image.channels);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

void write_jpeg(const std::string& path, const Image& image, int quality) {
  const auto bytes = encode_jpeg(image, quality);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw Error(path + ": cannot create");
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !written) throw Error(path + ": cannot write");
}

}  // namespace odenet
