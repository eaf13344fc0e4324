// An image classification data set held in memory as raw bytes.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

namespace odenet {

struct Dataset {
  torch::Tensor images;  ///< uint8, [N, C, H, W], contiguous
  torch::Tensor labels;  ///< int64, [N]
  std::vector<std::string> class_names;

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
  int64_t channels() const { return images.size(1); }
  int64_t height() const { return images.size(2); }
  int64_t width() const { return images.size(3); }
  int64_t num_classes() const { return static_cast<int64_t>(class_names.size()); }
  /// Keeps `n` examples drawn uniformly without replacement by a fixed generator
  /// (the same subset for every run and seed), in their original order;
  /// n <= 0 or n >= size keeps all. Class-sorted files (image folders) stay balanced in expectation.
  Dataset subset(int64_t n) const;
};

struct DatasetSplits {
  Dataset train;
  Dataset test;
};

/// Class names "0", "1", ... for formats that carry no names.
std::vector<std::string> numbered_classes(int64_t count);

}  // namespace odenet
