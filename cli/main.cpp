// odenet: ODE-inspired deep architectures from one command line.
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <iostream>
#include <algorithm>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/error_text.h"
#include "core/host_memory.h"
#include "core/library_logging.h"
#include "discretizations/plugin_loader.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const odenet::cli::Args&);
};

// The one list of commands: usage, dispatch and the unknown-command message come from it.
const std::vector<Command>& commands() {
  using namespace odenet::cli;
  static const std::vector<Command> table{
      {"run", "train the runs of experiment JSON files into results/<experiment>/<run>/", run_command},
      {"status", "where the runs of result directories or experiments stand (finished, paused, ...)", status_command},
      {"submit", "submit an experiment's runs to Slurm as one job array (requeued before time limits)", submit_command},
      {"speed", "training throughput of a run: end to end and compute only", speed_command},
      {"validate", "check experiment files and print the expanded runs", validate_command},
      {"table", "comparison table (Markdown or CSV) of finished runs", table_command},
      {"schemes", "registered numerical schemes with their metadata", schemes_command},
      {"models", "named network presets with their parameter counts", models_command},
      {"verify-scheme", "integrate an analytic problem with a scheme: errors and observed order", verify_scheme_command},
      {"test-scheme", "the registry's test battery on a scheme (round trip, gradients, order, training)", test_scheme_command},
      {"analyze", "modified-equation analysis of a finished run (learned k_n, stability)", analyze_command},
      {"ode", "a trained run as an ODE: refinement in depth and scheme, Jacobian spectra, smoothness", ode_command},
      {"depth-sweep", "parameter norms and increments against depth over runs of several depths", depth_sweep_command},
      {"report", "Markdown report with tables and plots for an experiment's results", report_command},
      {"stability", "stability regions of the Runge-Kutta methods and the LM root condition (plots)", stability_command},
      {"pack", "an image folder's splits as packed files (one pread per image) for image_stream", pack_command},
      {"data-speed", "images per second of a run's data loader alone, at several worker counts", data_speed_command},
      {"export", "a finished run's weights as a state dict that PyTorch's torch.load reads", export_command},
  };
  return table;
}

std::string usage() {
  std::string text = "usage: odenet [--plugin PATH.so]... COMMAND [options]   (odenet COMMAND --help for each)\n\ncommands:\n";
  for (const auto& c : commands()) text += fmt::format("  {:<14} {}\n", c.name, c.summary);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  odenet::keep_freed_host_memory();
  odenet::silence_library_logging();
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
    std::cout << usage();
    return first >= argc ? 2 : 0;
  }
  const std::string name = argv[first];
  auto it = std::find_if(commands().begin(), commands().end(), [&](const Command& c) { return name == c.name; });
  if (it == commands().end()) {
    std::vector<std::string> names;
    for (const auto& c : commands()) names.push_back(c.name);
    std::cerr << "odenet: unknown command '" << name << "'; commands: " << fmt::format("{}", fmt::join(names, ", ")) << "\n";
    return 2;
  }
  try {
    odenet::load_plugins_from_environment(odenet::scheme_registry());
    for (const auto& plugin : plugins) odenet::load_scheme_plugin_once(plugin, odenet::scheme_registry());
    return it->run(odenet::cli::Args(argv + first + 1, argv + argc));
  } catch (const odenet::Error& e) {
    std::cout.flush();
    std::cerr << (e.exit_code() >= 128 ? "odenet: " : "odenet: error: ") << e.what() << "\n";  // 128 + signal: asked to stop
    return e.exit_code();
  } catch (const c10::Error& e) {
    std::cerr << "odenet: error: " << odenet::first_line(e) << "\n";
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
