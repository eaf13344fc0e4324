// Turns raw uint8 examples into a normalised float batch, with the CIFAR
// training augmentation: zero-pad and random crop, random horizontal flip.
#pragma once
#include <torch/types.h>

#include <random>
#include <vector>

#include "core/dataset.h"

namespace odenet {

struct AugmentOptions {
  int pad = 0;                 ///< pad-and-crop margin (0: no crop)
  bool flip = false;           ///< random horizontal flip with probability ½
  std::vector<double> mean;    ///< per channel, in [0, 1] pixel units
  std::vector<double> std;     ///< per channel
  bool channels_last = false;  ///< lay the batch out as NHWC in memory
};

/// Builds the float batch of examples `indices` of `data`:
/// x = (pixel/255 − mean)/std, read through a random crop of the zero-padded
/// image and a random flip when `train`; centre view otherwise.
torch::Tensor make_batch(const Dataset& data, const std::vector<int64_t>& indices, const AugmentOptions& options,
                         bool train, std::mt19937_64& rng);

}  // namespace odenet
