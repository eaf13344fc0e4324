// The image-folder layout (ImageNet's, and the CIFAR-10 JPEG copy's):
// root/<split>/<class>/<file>.jpg|.jpeg|.png, classes in sorted order as labels.
// Decoding happens once; the decoded split is cached as one binary file.
#pragma once
#include <string>

#include "data/dataset_format.h"

namespace odenet {

struct ImageFolderOptions {
  std::string root;
  std::string split;       ///< "train" or "test"
  int channels = 3;        ///< images are converted to this many channels (1 or 3)
  std::string cache_dir;   ///< where decoded splits are kept; empty: no cache
};

/// Reads (or loads from the cache) one split. All images must share one size;
/// an undecodable file or a size mismatch is a DataError naming the file.
Dataset read_image_folder(const ImageFolderOptions& options);

/// Saves / loads a Dataset in odenet's binary cache format (atomic write; a damaged cache is a DataError).
void save_dataset_cache(const std::string& path, const Dataset& data);
Dataset load_dataset_cache(const std::string& path);

/// Registers "image_folder": root/{train,test}/<class>/<images>, converted to the experiment's
/// channels, decoded once into the cache.
void register_image_folder_format(DatasetFormatRegistry& registry);

/// $ODENET_CACHE, else $XDG_CACHE_HOME/odenet, else ~/.cache/odenet.
std::string default_cache_dir();

}  // namespace odenet
