// The registry's test battery, runnable on any registered scheme (a plugin's
// too): for each of the entry's examples, the JSON round trip, a float64
// gradient check of its network step, its order as an integrator, and a few
// SGD steps of a tiny network of every layout. `odenet test-scheme` runs it.
#pragma once
#include <string>
#include <vector>

namespace odenet {

struct BatteryCheck {
  std::string example;  ///< the example's JSON
  std::string check;    ///< "round trip", "gradient", "order", "training <layout>"
  enum class Result { kPassed, kFailed, kSkipped } result = Result::kPassed;
  std::string detail;   ///< what was measured, or why it failed or was skipped
};

/// Runs every check on every example of the registered scheme `name` (a ConfigError for an
/// unknown name). A check that throws is a failure carrying the error's message.
std::vector<BatteryCheck> run_scheme_battery(const std::string& name);

/// One line per check ("PASS  gradient  {...}  input error 3e-10 ...") and a closing count.
std::string format_battery(const std::string& name, const std::vector<BatteryCheck>& checks);

}  // namespace odenet
