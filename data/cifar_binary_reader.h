// CIFAR-10 / CIFAR-100 in the binary format as officially distributed
// (cifar-10-batches-bin/data_batch_{1..5}.bin + test_batch.bin;
//  cifar-100-binary/train.bin + test.bin).
#pragma once
#include <string>
#include <vector>

#include "data/dataset_format.h"

namespace odenet {

enum class CifarVariant { kCifar10, kCifar100 };

/// Reads records "label byte(s) + 3072 pixel bytes (R, G, B planes of 32×32)".
/// CIFAR-100 records carry a coarse then a fine label; `fine_labels` picks which.
/// A file whose size is not a whole number of records is a DataError naming it.
Dataset read_cifar_binary(const std::vector<std::string>& files, CifarVariant variant, bool fine_labels = true);

/// Reads the train or test split from the official directory (or the directory above it).
Dataset read_cifar_split(const std::string& root, CifarVariant variant, bool train);

/// Registers "cifar_binary" (3×32×32; CIFAR-100's fine labels when the data set is named cifar100).
void register_cifar_binary_format(DatasetFormatRegistry& registry);

}  // namespace odenet
