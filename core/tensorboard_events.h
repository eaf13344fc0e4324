// TensorBoard event files for a run's metrics, written without TensorFlow:
// each record is  uint64 length | masked CRC32C(length) | Event protobuf |
// masked CRC32C(Event),  little-endian, masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8.
// The Event and Summary messages are encoded by hand (wire format, a few fields).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/trainer.h"

namespace odenet {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `size` bytes.
uint32_t crc32c(const char* data, size_t size);

/// One TFRecord framing `payload`.
std::string tfrecord(const std::string& payload);

/// An Event protobuf holding scalar summaries (tag → simple_value) at `step`.
std::string scalar_event(double wall_time, int64_t step, const std::vector<std::pair<std::string, float>>& scalars);

/// The whole event file of `metrics`: the file_version event at `start_time`, then one event per
/// epoch (step = epoch; wall time = start_time + the epochs' seconds so far) with train/loss,
/// train/error, test/loss, test/error, lr, images_per_second and k/<step> for each learned k_n.
/// A pure function of its inputs, so a rewrite after the next epoch extends the file's bytes.
std::string tensorboard_events(const std::vector<EpochMetrics>& metrics, double start_time);

/// Writes (atomically) `dir`/events.out.tfevents.<start>.odenet for `metrics`, keeping the name
/// and start time of the run's existing event file; returns its path.
std::string write_tensorboard_events(const std::string& dir, const std::vector<EpochMetrics>& metrics);

}  // namespace odenet
