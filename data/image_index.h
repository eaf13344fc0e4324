// The image files of a streamed split, listed from ImageNet's layout (root/<split>/<class>/*.JPEG,
// classes in sorted order as labels) or from a list file ("<path> <label>" per line), with the
// size every header declares. Reading 1.28 M headers takes minutes, so the index is cached and
// reused while the folder's directories (or the list file) are unchanged: start-up in seconds.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "data/encoded_images.h"

namespace odenet {

/// Files read whole per example; `paths` as listed.
class ImageFiles : public EncodedImages {
 public:
  void read(int64_t i, std::vector<uint8_t>& bytes) const override;
  std::string name(int64_t i) const override { return paths[static_cast<size_t>(i)]; }
  std::vector<std::string> paths;
};

struct ImageIndexOptions {
  std::string dir;           ///< root/<split> holding <class>/<images> (or empty, with `list`)
  std::string list;          ///< a list file: one "<path> <label>" per line, paths relative to `root`
  std::string root;          ///< what list paths are relative to
  std::string cache_dir;     ///< where the index is kept (empty: rebuilt every time)
  int threads = 1;           ///< header readers while building
  bool skip_unreadable = false;  ///< a file whose header cannot be read is left out and counted, not an error
};

/// The split's files, labels and sizes: the cached index when the folder's directories (their
/// names and modification times) or the list file (its size and time) are unchanged, else read
/// from every header (progress on stderr) and cached atomically.
std::shared_ptr<const ImageFiles> index_image_files(const ImageIndexOptions& options);

/// The index's cache file for `options` (its name is a hash of the directory or list path).
std::string image_index_cache_path(const ImageIndexOptions& options);

}  // namespace odenet
