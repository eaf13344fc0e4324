// odenet test-scheme: the registry's test battery on one scheme, a plugin's included.
#include <fmt/format.h>

#include <iostream>

#include "analysis/scheme_battery.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "core/error.h"
#include "discretizations/plugin_loader.h"

namespace odenet::cli {

int test_scheme_command(const Args& args) {
  po::options_description options("odenet test-scheme options");
  std::string name;
  std::vector<std::string> plugins;
  options.add_options()("scheme", po::value(&name)->required(), "a registered scheme name")(
      "plugin", po::value(&plugins)->composing(), "load this scheme plugin first (repeatable)");
  po::positional_options_description positional;
  positional.add("scheme", 1);
  po::variables_map vm;
  if (!parse(args, "odenet test-scheme NAME [--plugin PATH.so]...", options, positional, vm)) return 0;
  for (const auto& plugin : plugins) load_scheme_plugin_once(plugin, scheme_registry());
  const auto checks = run_scheme_battery(name);
  std::cout << format_battery(name, checks);
  for (const auto& c : checks)
    if (c.result == BatteryCheck::Result::kFailed)
      throw Error(fmt::format("test-scheme {}: {} failed on {}: {}", name, c.check, c.example, c.detail));
  return 0;
}

}  // namespace odenet::cli
