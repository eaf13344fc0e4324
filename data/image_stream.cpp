#include "data/image_stream.h"

#include <ATen/ATen.h>

#include <cstring>
#include <numeric>

#include "data/image_codec.h"
#include "data/jpeg_crop.h"

namespace odenet {
namespace {

// Rows [box.top, +box.height) × columns [box.left, +box.width) of `image` into `dst`, interleaved,
// mirrored left-right when `mirror`.
void copy_view(const Image& image, const CropBox& box, bool mirror, uint8_t* dst) {
  const int k = image.channels;
  for (int64_t y = 0; y < box.height; ++y) {
    const uint8_t* row = image.pixels.data() + ((box.top + y) * image.width + box.left) * k;
    uint8_t* out = dst + y * box.width * k;
    if (!mirror) {
      std::memcpy(out, row, static_cast<size_t>(box.width * k));
      continue;
    }
    for (int64_t x = 0; x < box.width; ++x)
      for (int c = 0; c < k; ++c) out[x * k + c] = row[(box.width - 1 - x) * k + c];
  }
}

}  // namespace

ImageStream::ImageStream(std::shared_ptr<const EncodedImages> images, StreamTransform transform, std::vector<int64_t> members)
    : images_(std::move(images)), transform_(transform), members_(std::move(members)) {
  if (members_.empty()) {
    members_.resize(static_cast<size_t>(images_->size()));
    std::iota(members_.begin(), members_.end(), 0);
  }
}

StreamView ImageStream::draw_view(int64_t i, bool flip, at::Generator& generator) const {
  const size_t m = member(i);
  StreamView view;
  view.box = random_resized_crop_box(images_->heights[m], images_->widths[m], transform_.area, generator);
  if (flip) view.mirror = at::empty({1}, at::kFloat).uniform_(0, 1, generator).item<float>() < 0.5f;
  return view;
}

void ImageStream::decode(int64_t i, const StreamView* view, uint8_t* dst, std::vector<uint8_t>& bytes) const {
  const size_t m = member(i);
  images_->read(static_cast<int64_t>(m), bytes);
  const std::string path = images_->name(static_cast<int64_t>(m));
  const int64_t crop = transform_.crop;
  if (view) {
    const Image image =
        convert_channels(decode_resized_crop(bytes, path, view->box, crop, crop, transform_.dct_scaling), transform_.channels);
    copy_view(image, {0, 0, crop, crop}, view->mirror, dst);
    return;
  }
  // Resize(resize) of the whole image, then CenterCrop(crop) of that.
  const int64_t h = images_->heights[m], w = images_->widths[m];
  const auto [rh, rw] = resized_size(h, w, transform_.resize);
  const Image image =
      convert_channels(decode_resized_crop(bytes, path, {0, 0, h, w}, rh, rw, transform_.dct_scaling), transform_.channels);
  copy_view(image, center_crop_box(rh, rw, crop), false, dst);
}

Dataset streamed_dataset(std::shared_ptr<const EncodedImages> images, const StreamTransform& transform) {
  Dataset data;
  data.labels = torch::tensor(images->labels, torch::kInt64);
  data.class_names = images->class_names;
  data.stream = std::make_shared<ImageStream>(std::move(images), transform);
  return data;
}

std::shared_ptr<const ImageStream> ImageStream::subset(const std::vector<int64_t>& positions) const {
  std::vector<int64_t> members;
  members.reserve(positions.size());
  for (int64_t p : positions) members.push_back(members_[static_cast<size_t>(p)]);
  return std::make_shared<ImageStream>(images_, transform_, std::move(members));
}

}  // namespace odenet
