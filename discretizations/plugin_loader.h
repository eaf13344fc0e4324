// External scheme plugins: shared libraries exporting
//   extern "C" void odenet_register(odenet::SchemeRegistry&);
#pragma once
#include <string>
#include <vector>

#include "discretizations/scheme.h"

namespace odenet {

/// dlopens `path` and calls its odenet_register on `registry`. A missing file,
/// a library without the symbol or a duplicate scheme name is an Error naming the path.
void load_scheme_plugin(const std::string& path, SchemeRegistry& registry);

/// The paths of the plugins this process has loaded, in order (child processes load them too).
const std::vector<std::string>& loaded_plugins();

/// The absolute path of the plugin that registered scheme `name`; empty for a built-in scheme.
std::string plugin_of_scheme(const std::string& name);

/// Loads `path` unless this process loaded it already (compared as absolute, normal paths).
void load_scheme_plugin_once(const std::string& path, SchemeRegistry& registry);

/// Loads the plugins named by the environment variable ODENET_PLUGINS (paths separated by ':').
void load_plugins_from_environment(SchemeRegistry& registry);

/// Loads the plugins a run's config.json records ("plugins": [paths]) that are not loaded yet;
/// one that cannot be loaded is an Error naming `config_file` and the path.
void load_recorded_plugins(const nlohmann::json& config, const std::string& config_file, SchemeRegistry& registry);

}  // namespace odenet
