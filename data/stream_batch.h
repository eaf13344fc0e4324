// Batches of a streamed data set: every example decoded from its file through its view, written
// normalised as float (CPU training), or kept uint8 until the device and normalised there.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "data/augmentation.h"
#include "data/image_stream.h"

namespace odenet {

/// The training views of examples `indices` (n of them: a whole global batch), drawn in order
/// from one generator seeded `seed`.
std::vector<StreamView> draw_stream_views(const ImageStream& stream, const int64_t* indices, int64_t n, bool flip,
                                          uint64_t seed);

/// What assemble_stream_batch kept and left out.
struct StreamBatchResult {
  std::vector<int64_t> kept;         ///< the positions (of `indices`) decoded, in batch order
  std::vector<std::string> skipped;  ///< the errors of images left out (skip_corrupt)
};

/// Decodes examples `indices` through `views` (empty: the evaluation view) into `out`, either float
/// [≥ n, C, H, W] (any memory format) as (pixel/255 − mean)/std, or uint8 [≥ n, H, W, C] raw. A
/// damaged image is a DataError naming it — or, with the stream's skip_corrupt, left out: the
/// batch closes up and the result says which.
StreamBatchResult assemble_stream_batch(const ImageStream& stream, const int64_t* indices, int64_t n,
                                        const std::vector<StreamView>& views, const AugmentOptions& augment,
                                        torch::Tensor& out);

/// A uint8 [n, H, W, C] batch (on the device) as the float [n, C, H, W] the network takes:
/// (x/255 − mean)/std, channels-last in memory when `augment.channels_last`.
torch::Tensor normalize_batch(const torch::Tensor& interleaved, const AugmentOptions& augment);

}  // namespace odenet
