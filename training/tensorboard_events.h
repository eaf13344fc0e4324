// TensorBoard event files for a run's metrics, written without TensorFlow:
// each record is  uint64 length | masked CRC32C(length) | Event protobuf |
// masked CRC32C(Event),  little-endian, masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8.
// The Event and Summary messages are encoded by hand (wire format, a few fields).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "training/trainer.h"

namespace odenet {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `size` bytes.
uint32_t crc32c(const char* data, size_t size);

/// One TFRecord framing `payload`.
std::string tfrecord(const std::string& payload);

/// An Event protobuf holding scalar summaries (tag → simple_value) at `step`.
std::string scalar_event(double wall_time, int64_t step, const std::vector<std::pair<std::string, float>>& scalars);

/// What a run's event file says once, before its epochs: the HParams plugin's session (the run's
/// swept values, grouped over seeds) and a text summary (the provenance).
struct TensorboardHeader {
  /// name → a string, number or boolean (HParams compares runs by these).
  std::vector<std::pair<std::string, nlohmann::json>> hparams;
  std::string group;     ///< the session group: the run without its seed
  std::string text;      ///< Markdown shown by the text plugin under the tag "run"
  bool finished = false; ///< adds the session's end (status: success) after the last epoch
};

/// The whole event file of `metrics`: the file_version event at `start_time`, the header's
/// hparams session_start_info and text, then per epoch (step = epoch; wall time = start_time +
/// the epochs' seconds so far) train/loss, train/error, test/loss, test/error, lr,
/// images_per_second, k/<step> for each learned k_n and a histogram k_channels/<step> of each
/// per-channel k, then that epoch's step records (step = the run's step) as step/train_loss and
/// step/lr. A pure function of its inputs: while unfinished, a rewrite after the next epoch
/// extends the file's bytes.
std::string tensorboard_events(const std::vector<EpochMetrics>& metrics, double start_time,
                               const TensorboardHeader& header = {});

/// Writes (atomically) `dir`/events.out.tfevents.<start>.odenet for `metrics`, keeping the name
/// and start time of the run's existing event file; returns its path.
std::string write_tensorboard_events(const std::string& dir, const std::vector<EpochMetrics>& metrics,
                                     const TensorboardHeader& header = {});

}  // namespace odenet
