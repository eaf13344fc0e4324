// The packed image format (FFCV's idea): one file holding a split's JPEGs back to back, and an
// index of where each lies with its label and size, so a pass reads images with one pread each
// (no open, no directory lookup) from a file the page cache and readahead handle whole.
//
// Layout (little-endian): "ODNPACK1", u64 count, u64 classes, u64 index offset; the class names
// (u32 length + bytes each); the images; at the index offset, per image
// {u64 offset, u32 length, i32 label, i32 height, i32 width}.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "data/encoded_images.h"

namespace odenet {

/// A pack opened for reading: its index in memory, images read by pread on demand.
class ImagePack : public EncodedImages {
 public:
  /// Reads the header and index; a missing, truncated or inconsistent pack is a DataError naming it.
  explicit ImagePack(std::string path);
  ~ImagePack() override;
  ImagePack(const ImagePack&) = delete;
  ImagePack& operator=(const ImagePack&) = delete;
  void read(int64_t i, std::vector<uint8_t>& bytes) const override;
  std::string name(int64_t i) const override;

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<uint64_t> offsets_;
  std::vector<uint32_t> lengths_;
};

struct PackOptions {
  int max_side = 512;   ///< images whose longer side exceeds this are downscaled (antialiased) to it
  int quality = 90;     ///< JPEG quality of the images re-encoded (downscaled ones and PNGs)
  int threads = 1;      ///< encoders working in parallel (the file is written in order)
};

struct PackSummary {
  int64_t images = 0, reencoded = 0;  ///< all, and those decoded and encoded again (the rest copied as they were)
  uint64_t bytes = 0;                 ///< the pack's size
};

/// Writes `images` (any source: a folder's files, another pack) as a pack at `path`, atomically:
/// JPEGs within `max_side` are copied byte for byte; larger ones and PNGs are decoded, downscaled
/// and encoded at `quality`. `progress(done, total)` is called from the writing thread now and then.
PackSummary write_image_pack(const EncodedImages& images, const std::string& path, const PackOptions& options,
                             const std::function<void(int64_t, int64_t)>& progress = nullptr);

/// The pack of split `split` under `root`: root/<split>.odenet-pack.
std::string image_pack_path(const std::string& root, const std::string& split);

}  // namespace odenet
