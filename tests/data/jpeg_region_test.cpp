// Decoding only the region a crop needs, at a reduced DCT scale, against decoding the whole
// image: the same pixels where the scale is 1, and within a few levels after the resize where
// the decoder did part of the reduction.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "data/image_codec.h"
#include "data/image_resize.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

// A 375 × 500 photograph-like image: smooth gradients and a few edges, as JPEG (quality 90).
std::vector<uint8_t> smooth_jpeg(const test::ScratchDir& dir) {
  Image image{500, 375, 3, std::vector<uint8_t>(375 * 500 * 3)};
  for (int y = 0; y < 375; ++y)
    for (int x = 0; x < 500; ++x)
      for (int c = 0; c < 3; ++c) {
        const double v = 128 + 60 * std::sin(0.021 * x + 0.7 * c) * std::cos(0.017 * y) + ((x / 60 + y / 45) % 2 ? 40 : -40);
        image.pixels[(static_cast<size_t>(y) * 500 + x) * 3 + c] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
  write_jpeg(dir / "photo.jpg", image, 90);
  std::ifstream in(dir / "photo.jpg", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double mean_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, int* worst) {
  double total = 0;
  *worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const int d = std::abs(int(a[i]) - int(b[i]));
    total += d;
    *worst = std::max(*worst, d);
  }
  return total / static_cast<double>(a.size());
}

TEST(JpegRegion, ScaledAndCroppedDecodesResizeLikeTheFullDecode) {
  test::ScratchDir dir;
  const std::vector<uint8_t> bytes = smooth_jpeg(dir);
  EXPECT_EQ(jpeg_size(bytes, "photo.jpg"), (std::array<int64_t, 2>{375, 500}));
  const Image full = decode_image_file(dir / "photo.jpg");
  const int64_t stride = full.width * 3;
  for (const CropBox region : {CropBox{0, 0, 375, 500}, CropBox{10, 30, 350, 460}, CropBox{60, 100, 300, 300}}) {
    const DecodedRegion part = decode_jpeg_region(bytes, "photo.jpg", region, 224, 224);
    EXPECT_LT(part.scale_eighths, 8) << "a region larger than 224 x 224 is decoded at a reduced scale";
    EXPECT_GE(part.box.height, 224);
    EXPECT_GE(part.box.width, 224);
    std::vector<uint8_t> reference(224 * 224 * 3), ours(224 * 224 * 3);
    resize_antialiased(full.pixels.data(), stride, 3, region, 224, 224, reference.data());
    resize_antialiased(part.image.pixels.data(), part.image.width * 3, 3, part.box, 224, 224, ours.data());
    int worst = 0;
    const double mean = mean_difference(reference, ours, &worst);
    std::printf("  region %ldx%ld at (%ld, %ld): decoded at %d/8, mean |diff| %.3f levels, max %d\n", region.height,
                region.width, region.top, region.left, part.scale_eighths, mean, worst);
    // The DCT's reduction is another low-pass than the triangle filter's: measured 2.0 levels on
    // this image's hard checkerboard edges (max ~36 there), far less on its gradients.
    EXPECT_LE(mean, 3.0);
  }
  // A region smaller than its target is decoded at full scale: exactly the full decode's pixels.
  const CropBox small{101, 77, 80, 100};
  const DecodedRegion part = decode_jpeg_region(bytes, "photo.jpg", small, 224, 224);
  EXPECT_EQ(part.scale_eighths, 8);
  EXPECT_EQ(part.box.height, 80);
  EXPECT_EQ(part.box.width, 100);
  int worst = 0;
  for (int64_t y = 0; y < 80; ++y)
    for (int64_t x = 0; x < 100 * 3; ++x) {
      const int a = full.pixels[static_cast<size_t>((small.top + y) * stride + small.left * 3 + x)];
      const int b = part.image.pixels[static_cast<size_t>(y * part.image.width * 3 + part.box.left * 3 + x)];
      worst = std::max(worst, std::abs(a - b));
    }
  EXPECT_LE(worst, 1);
}

TEST(JpegRegion, ARegionOutsideTheImageOrCorruptBytesAreDataErrors) {
  test::ScratchDir dir;
  const std::vector<uint8_t> bytes = smooth_jpeg(dir);
  EXPECT_EQ(test::error_message<DataError>([&] { decode_jpeg_region(bytes, "photo.jpg", CropBox{300, 0, 100, 100}, 10, 10); }),
            "photo.jpg: region 100x100 at (300, 0) outside the 375x500 image");
  std::vector<uint8_t> torn(bytes.begin(), bytes.begin() + 600);
  EXPECT_THROW(decode_jpeg_region(torn, "torn.jpg", CropBox{0, 0, 375, 500}, 224, 224), DataError);
  EXPECT_THROW(jpeg_size(std::vector<uint8_t>{0xFF, 0xD8, 0x00}, "tiny.jpg"), DataError);
}

}  // namespace
}  // namespace odenet
