// A streamed split: images of any size decoded anew every pass (nothing held but the index), each
// seen through ImageNet's standard transforms as torchvision composes them —
//   training:   RandomResizedCrop(crop, scale, ratio) then RandomHorizontalFlip,
//   evaluation: Resize(resize) (shorter side) then CenterCrop(crop),
// decoded with libjpeg-turbo's DCT scaling and row/column cropping, resized antialiased, uint8.
#pragma once
#include <ATen/core/Generator.h>

#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/encoded_images.h"
#include "data/resized_crop.h"

namespace odenet {

struct StreamTransform {
  int64_t crop = 224;         ///< the network's input side: training crops and evaluation's centre crop
  int64_t resize = 256;       ///< evaluation: the shorter side before the centre crop
  ResizedCropOptions area;    ///< training: RandomResizedCrop's scale and ratio ranges
  /// Decode at M/8 of the size where the crop stays at least twice its target: faster for large
  /// photographs, but views up to ~2 levels from torchvision's (exact decoding: 0.2).
  bool dct_scaling = false;
  int channels = 3;           ///< 1 (luma) or 3; grey JPEGs are replicated to RGB
  bool skip_corrupt = false;  ///< an image that fails to decode is left out of its batch and counted, not an error
};

/// One example's training view: RandomResizedCrop's window in the full image's pixels, and a mirror.
struct StreamView {
  CropBox box;
  bool mirror = false;
};

class ImageStream {
 public:
  /// The examples are `images`' entries `members` (empty: all, in order).
  ImageStream(std::shared_ptr<const EncodedImages> images, StreamTransform transform, std::vector<int64_t> members = {});

  int64_t size() const { return static_cast<int64_t>(members_.size()); }
  const StreamTransform& transform() const { return transform_; }
  const EncodedImages& images() const { return *images_; }
  int64_t label(int64_t i) const { return images_->labels[member(i)]; }
  std::string name(int64_t i) const { return images_->name(member(i)); }

  /// Example i's training view, drawn as torchvision's RandomResizedCrop then (with `flip`)
  /// RandomHorizontalFlip draw from one generator: the box's draws, then torch.rand(1) < ½.
  StreamView draw_view(int64_t i, bool flip, at::Generator& generator) const;
  /// Example i seen through `view` (null: the evaluation view) as crop × crop × channels uint8,
  /// interleaved, into `dst`; `bytes` is a reused read buffer. A damaged image is a DataError naming it.
  void decode(int64_t i, const StreamView* view, uint8_t* dst, std::vector<uint8_t>& bytes) const;
  /// The examples at `positions` (of this stream), in that order.
  std::shared_ptr<const ImageStream> subset(const std::vector<int64_t>& positions) const;

 private:
  size_t member(int64_t i) const { return static_cast<size_t>(members_[static_cast<size_t>(i)]); }
  std::shared_ptr<const EncodedImages> images_;
  StreamTransform transform_;
  std::vector<int64_t> members_;
};

/// A streamed Dataset of all of `images`: their labels and class names, no pixels until a pass.
Dataset streamed_dataset(std::shared_ptr<const EncodedImages> images, const StreamTransform& transform);

}  // namespace odenet
