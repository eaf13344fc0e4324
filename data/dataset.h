// An image classification data set: held in memory as raw bytes, or streamed (the images decoded
// anew every pass from files or a pack; only the labels and the index in memory).
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace odenet {

class ImageStream;

struct Dataset {
  torch::Tensor images;  ///< uint8, [N, C, H, W], contiguous; undefined when streamed
  torch::Tensor labels;  ///< int64, [N]
  std::vector<std::string> class_names;
  std::shared_ptr<const ImageStream> stream;  ///< streamed: where example i's pixels come from

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  /// The shape of an example as the loader delivers it (streamed: the crop).
  int64_t channels() const;
  int64_t height() const;
  int64_t width() const;
  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
  /// Keeps `n` examples drawn uniformly without replacement by a fixed generator
  /// (the same subset for every run and seed), in their original order;
  /// n <= 0 or n >= size keeps all. Class-sorted files (image folders) stay balanced in expectation.
  Dataset subset(int64_t n) const;
  /// Streamed: the first-`limit` examples' evaluation views decoded into memory (limit <= 0: all);
  /// in memory: itself. For analyses that want the pixels at once.
  Dataset in_memory(int64_t limit = 0) const;
};

struct DatasetSplits {
  Dataset train;
  Dataset test;
};

/// Class names "0", "1", ... for formats that carry no names.
std::vector<std::string> numbered_classes(int64_t count);

}  // namespace odenet
