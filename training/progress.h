// A live progress line for long work: epoch, step, loss, images/s, ETA.
// On a terminal it redraws one line; elsewhere it prints every `interval` seconds.
#pragma once
#include <chrono>
#include <string>

namespace odenet {

class Progress {
 public:
  explicit Progress(std::string label, double interval_seconds = 30.0);
  /// Reports step `step` of `steps` in epoch `epoch` of `epochs`; `eta_seconds` < 0 hides the ETA.
  void update(long epoch, long epochs, long step, long steps, double loss, double images_per_second,
              double eta_seconds);
  /// Ends the live line (if any) so the next output starts on a fresh line.
  void clear();

 private:
  std::string label_;
  bool tty_;
  double interval_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

/// "1h02m", "4m12s", "37s".
std::string format_duration(double seconds);

/// The longest duration parse_duration accepts: a year (8784 h).
constexpr double kMaxDurationSeconds = 366.0 * 24 * 3600;
/// Seconds of a duration written as "90", "90s", "9m", "1h30m", "2h", "1.5h"; anything else
/// (negative, empty, an unknown unit, longer than a year) is a ConfigError quoting the text.
double parse_duration(const std::string& text);

}  // namespace odenet
