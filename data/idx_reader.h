// MNIST / Fashion-MNIST idx files (LeCun's format), gzipped or not.
#pragma once
#include <string>

#include "data/dataset_format.h"

namespace odenet {

/// Reads an idx3 image file and its idx1 label file (".gz" or raw; zlib reads both).
/// A missing, truncated or malformed file is a DataError naming it.
/// A label ≥ `classes` is a DataError naming the label file and the record.
Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, int64_t classes = 10);

/// Finds "<prefix>-images-idx3-ubyte[.gz]" and the labels beside it in `root`
/// (prefix "train" or "t10k") and reads them.
Dataset read_idx_split(const std::string& root, const std::string& prefix, int64_t classes = 10);

/// Registers "idx": <root>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz], one channel.
void register_idx_format(DatasetFormatRegistry& registry);

}  // namespace odenet
