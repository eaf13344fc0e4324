// The "image_stream" format: ImageNet-scale data streamed per pass — root/<split>/<class>/*.JPEG
// (ImageNet's layout), a list file of "<path> <label>" lines, or a pack (root/<split>.odenet-pack,
// `odenet pack`), with RandomResizedCrop + flip for training and Resize + CenterCrop for evaluation.
#pragma once
#include <string>

#include "data/dataset_format.h"
#include "data/image_index.h"
#include "data/image_stream.h"

namespace odenet {

/// image_stream's own keys of a "dataset" object.
struct ImageStreamKeys {
  std::string train_split = "train", test_split = "val";  ///< folder names under root (or pack names)
  std::string train_list, test_list;  ///< list files instead of folders (paths relative to root)
  std::string cache_dir;              ///< where the folder indexes are cached
  StreamTransform transform;
};

/// Where split `train` (or the test split) of `o` is read from: its pack if root holds one, else its
/// list file if given, else its folder. `index` is filled for a list or folder.
std::string image_stream_source(const DatasetOptions& o, const ImageStreamKeys& keys, bool train, ImageIndexOptions& index);

void register_image_stream_format(DatasetFormatRegistry& registry);

}  // namespace odenet
