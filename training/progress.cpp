#include "training/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"

namespace odenet {

std::string format_duration(double seconds) {
  if (seconds < 10 && std::abs(seconds - std::round(seconds)) > 0.05) return fmt::format("{:.1f}s", seconds);
  long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

double parse_duration(const std::string& text) {
  auto bad = [&] {
    return ConfigError("duration '" + text + "' is not a number of seconds or a duration such as 90s, 9m, 1h30m");
  };
  if (text.empty()) throw bad();
  double total = 0;
  const char* p = text.c_str();
  bool any = false;
  while (*p) {
    char* end = nullptr;
    double value = std::strtod(p, &end);
    if (end == p || !std::isfinite(value) || value < 0) throw bad();
    any = true;
    double unit = 1;
    if (*end == 'h') unit = 3600, ++end;
    else if (*end == 'm') unit = 60, ++end;
    else if (*end == 's') ++end;
    else if (*end != '\0') throw bad();
    total += value * unit;
    p = end;
  }
  if (!any) throw bad();
  // Beyond a year a deadline is a mistake, and far beyond it the clock's nanosecond count
  // overflows (2562048h read as "time limit reached").
  if (total > kMaxDurationSeconds)
    throw ConfigError(fmt::format("duration '{}' is longer than a year ({}h)", text, kMaxDurationSeconds / 3600));
  return total;
}

Progress::Progress(std::string label, double interval_seconds)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO)), interval_(interval_seconds),
      last_(std::chrono::steady_clock::now()) {}

void Progress::update(long epoch, long epochs, long step, long steps, double loss, double images_per_second,
                      double eta_seconds) {
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_).count();
  if (since < (tty_ ? 0.25 : interval_) && step != steps) return;
  last_ = now;
  std::string line = fmt::format("{} epoch {}/{} step {}/{} loss {:.4f} {:.0f} img/s", label_, epoch, epochs, step,
                                 steps, loss, images_per_second);
  if (eta_seconds >= 0) line += " ETA " + format_duration(eta_seconds);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    drawn_ = true;
  } else if (step != steps) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Progress::clear() {
  if (tty_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace odenet
