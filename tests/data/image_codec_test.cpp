#include "data/image_codec.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

Image noise(int w, int h) {
  Image image{w, h, 3, {}};
  for (int i = 0; i < w * h * 3; ++i) image.pixels.push_back(static_cast<uint8_t>((i * 37) % 251));
  return image;
}

std::string error_of(const std::string& path) {
  return test::error_message<DataError>([&] { decode_image_file(path); });
}

TEST(ImageCodec, AJpegCutBeforeItsEndIsAnErrorNamingTheFile) {
  test::ScratchDir dir;
  write_jpeg(dir / "a.jpg", noise(64, 48), 90);
  std::string bytes = test::read_text(dir / "a.jpg");
  EXPECT_EQ(decode_image_file(dir / "a.jpg").width, 64);
  // Cut inside the entropy-coded data: libjpeg only warns ("premature end") and fills in grey.
  test::write_bytes(dir / "cut.jpg", std::vector<uint8_t>(bytes.begin(), bytes.begin() + bytes.size() * 3 / 4));
  EXPECT_EQ(error_of(dir / "cut.jpg"), dir / "cut.jpg: corrupt JPEG data (Premature end of JPEG file)");
}

TEST(ImageCodec, HugeOrEmptyHeadersAreRefusedBeforeAllocating) {
  test::ScratchDir dir;
  write_png(dir / "a.png", noise(4, 4));
  std::string bytes = test::read_text(dir / "a.png");
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type): width, height big-endian, then its CRC.
  auto patch = [&](uint32_t w, uint32_t h, const std::string& name) {
    std::string b = bytes;
    for (int i = 0; i < 4; ++i) {
      b[16 + i] = static_cast<char>((w >> (24 - 8 * i)) & 0xff);
      b[20 + i] = static_cast<char>((h >> (24 - 8 * i)) & 0xff);
    }
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(b.data() + 12), 17);  // type + 13 data bytes
    for (int i = 0; i < 4; ++i) b[29 + i] = static_cast<char>((crc >> (24 - 8 * i)) & 0xff);
    test::write_text(dir / name, b);
    return dir / name;
  };
  EXPECT_NE(error_of(patch(60000, 60000, "huge.png")).find("huge.png: "), std::string::npos);
  EXPECT_NE(error_of(patch(60000, 60000, "huge.png")).find("60000x60000 pixels, outside what odenet decodes"), std::string::npos)
      << error_of(dir / "huge.png");
  EXPECT_NE(error_of(dir / ".").find("is a directory, not an image"), std::string::npos);
  test::write_text(dir / "empty.jpg", "");
  EXPECT_EQ(error_of(dir / "empty.jpg"), dir / "empty.jpg: neither a JPEG nor a PNG file");
}

}  // namespace
}  // namespace odenet

namespace odenet {
namespace {

// CMYK JPEGs (ImageNet's training set has a few dozen) decode to RGB as PIL converts them:
// R = (255 − C)(255 − K)/255 on the inks, the file written by PIL with Adobe's inverted storage.
TEST(ImageCodec, CmykJpegsDecodeToPilsRgb) {
  test::ScratchDir dir;
  test::write_text(dir / "cmyk.py", R"(
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(0)
y, x = np.mgrid[0:48, 0:64]
inks = np.stack([(x * 4) % 256, (y * 5) % 256, (x + y) * 2 % 256, 40 + (x * y) % 120], -1).astype(np.uint8)
Image.fromarray(inks, "CMYK").save(sys.argv[1], quality=95)
sys.stdout.buffer.write(np.asarray(Image.open(sys.argv[1]).convert("RGB")).tobytes())
)");
  const auto r = test::run_shell("/usr/bin/python3 " + dir / "cmyk.py" + " " + dir / "cmyk.jpg" + " > " + dir / "rgb.bin 2>/dev/null");
  if (r.status != 0) GTEST_SKIP() << "no python3-pil here";
  const Image ours = decode_image_file(dir / "cmyk.jpg");
  ASSERT_EQ(ours.channels, 3);
  ASSERT_EQ(ours.width, 64);
  const std::vector<uint8_t> theirs = read_file_bytes(dir / "rgb.bin");
  ASSERT_EQ(theirs.size(), ours.pixels.size());
  int worst = 0;
  for (size_t i = 0; i < theirs.size(); ++i) worst = std::max(worst, std::abs(int(theirs[i]) - int(ours.pixels[i])));
  EXPECT_LE(worst, 1) << "the same decoder and formula; rounding at most one level";
}

}  // namespace
}  // namespace odenet
