// odenet: ODE-inspired deep architectures from one command line.
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "core/error.h"
#include "discretizations/plugin_loader.h"

namespace {

const char* kUsage =
    "usage: odenet [--plugin PATH.so]... COMMAND [options]   (odenet COMMAND --help for each)\n"
    "\n"
    "commands:\n"
    "  run       train the runs of experiment JSON files into results/<experiment>/<run>/\n"
    "  status    where the runs of result directories or experiments stand (finished, paused, ...)\n"
    "  speed     training throughput of a run: end to end and compute only\n"
    "  validate  check experiment files and print the expanded runs\n"
    "  table     comparison table (Markdown or CSV) of finished runs\n"
    "  schemes   registered numerical schemes with their metadata\n"
    "  models    named network presets with their parameter counts\n"
    "  verify-scheme  integrate an analytic problem with a scheme: errors and observed order\n"
    "  analyze   modified-equation analysis of a finished run (learned k_n, stability)\n"
    "  report    Markdown report with tables and plots for an experiment's results\n"
    "  stability stability regions of the Runge-Kutta methods and the LM root condition (plots)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace odenet::cli;
  const std::map<std::string, int (*)(const Args&)> commands{{"run", run_command},
                                                              {"status", status_command},
                                                              {"speed", speed_command},
                                                              {"validate", validate_command},
                                                              {"table", table_command},
                                                              {"schemes", schemes_command},
                                                              {"models", models_command},
                                                              {"verify-scheme", verify_scheme_command},
                                                              {"analyze", analyze_command},
                                                              {"report", report_command},
                                                              {"stability", stability_command}};
  int first = 1;
  std::vector<std::string> plugins;
  while (first < argc && std::string(argv[first]) == "--plugin") {
    if (first + 1 >= argc) {
      std::cerr << "odenet: error: --plugin needs a path\n";
      return 2;
    }
    plugins.push_back(argv[first + 1]);
    first += 2;
  }
  if (first >= argc || std::string(argv[first]) == "--help" || std::string(argv[first]) == "-h") {
    std::cout << kUsage;
    return first >= argc ? 2 : 0;
  }
  auto it = commands.find(argv[first]);
  if (it == commands.end()) {
    std::cerr << "odenet: unknown command '" << argv[first]
              << "'; commands: run, status, speed, validate, table, schemes, models, verify-scheme, analyze, report, stability\n";
    return 2;
  }
  try {
    for (const auto& plugin : plugins) odenet::load_scheme_plugin(plugin, odenet::scheme_registry());
    return it->second(Args(argv + first + 1, argv + argc));
  } catch (const odenet::Error& e) {
    std::cout.flush();
    std::cerr << (e.exit_code() >= 128 ? "odenet: " : "odenet: error: ") << e.what() << "\n";  // 128 + signal: asked to stop
    return e.exit_code();
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    std::cerr << "odenet: error: " << what.substr(0, what.find('\n')) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "odenet: error: " << e.what() << "\n";
    return 1;
  } catch (...) {  // only a plugin's code can throw something else
    std::cerr << "odenet: error: an exception that is not a std::exception escaped"
              << (plugins.empty() ? std::string() : fmt::format(" (plugins loaded: {})", fmt::join(plugins, ", "))) << "\n";
    return 2;
  }
}
