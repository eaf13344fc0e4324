#include "discretizations/plugin_loader.h"

#include <dlfcn.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/version.h"
#include "discretizations/elf_section.h"

namespace odenet {

namespace {
std::vector<std::string>& plugin_paths() {
  static std::vector<std::string> paths;
  return paths;
}
std::map<std::string, std::string>& scheme_plugins() {  // scheme name → the plugin that registered it
  static std::map<std::string, std::string> plugins;
  return plugins;
}
std::string normal_path(const std::string& path) { return std::filesystem::absolute(path).lexically_normal().string(); }
}  // namespace

std::string plugin_of_scheme(const std::string& name) {
  auto it = scheme_plugins().find(name);
  return it == scheme_plugins().end() ? "" : it->second;
}

void load_scheme_plugin_once(const std::string& path, SchemeRegistry& registry) {
  const auto& loaded = plugin_paths();
  if (std::find(loaded.begin(), loaded.end(), normal_path(path)) == loaded.end()) load_scheme_plugin(path, registry);
}

void load_plugins_from_environment(SchemeRegistry& registry) {
  const char* list = std::getenv("ODENET_PLUGINS");
  if (!list) return;
  std::stringstream paths(list);
  for (std::string path; std::getline(paths, path, ':');) {
    if (path.empty()) continue;
    try {
      load_scheme_plugin_once(path, registry);
    } catch (const Error& e) {
      throw ConfigError(std::string("ODENET_PLUGINS: ") + e.what());
    }
  }
}

void load_recorded_plugins(const nlohmann::json& config, const std::string& config_file, SchemeRegistry& registry) {
  if (!config.is_object() || !config.contains("plugins")) return;
  const auto& plugins = config["plugins"];
  if (!plugins.is_array()) throw DataError(config_file + ": /plugins: expected an array of paths");
  for (size_t i = 0; i < plugins.size(); ++i) {
    if (!plugins[i].is_string()) throw DataError(fmt::format("{}: /plugins/{}: expected a path", config_file, i));
    try {
      load_scheme_plugin_once(plugins[i].get<std::string>(), registry);
    } catch (const Error& e) {
      throw ConfigError(fmt::format("{}: /plugins/{}: the run's scheme plugin: {}", config_file, i, e.what()));
    }
  }
}

const std::vector<std::string>& loaded_plugins() { return plugin_paths(); }

void load_scheme_plugin(const std::string& path, SchemeRegistry& registry) {
  if (!std::filesystem::exists(path)) throw ConfigError(path + ": cannot load plugin: no such file");
  // The ABI stamp is read from the file before dlopen runs any of the plugin's code (its static
  // constructors included): a plugin built for another odenet would crash in it.
  const auto stamp = read_elf_section(path, ODENET_PLUGIN_ABI_SECTION);
  if (!stamp)
    throw ConfigError(path + ": not an odenet plugin, or one without an ABI stamp (section " ODENET_PLUGIN_ABI_SECTION
                             ": built without ODENET_PLUGIN_ABI_STAMP or for an odenet before " ODENET_VERSION
                             "); rebuild it against this odenet");
  const std::string abi = stamp->substr(0, stamp->find('\0'));
  if (abi != ODENET_PLUGIN_ABI)
    throw ConfigError(path + ": plugin built for " + abi + ", this is " ODENET_PLUGIN_ABI ": rebuild it against this odenet");
  // Kept loaded for the life of the process: its modules live in odenet's models.
  void* handle = ::dlopen(std::filesystem::absolute(path).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw ConfigError(path + ": cannot load plugin: " + ::dlerror());
  using Register = void (*)(SchemeRegistry&);
  auto reg = reinterpret_cast<Register>(::dlsym(handle, "odenet_register"));
  if (!reg) throw ConfigError(path + ": not an odenet plugin: it exports no odenet_register function");
  const auto before = registry.names();
  try {
    reg(registry);
  } catch (const std::exception& e) {
    throw ConfigError(path + ": plugin registration failed: " + e.what());
  } catch (...) {  // a plugin may throw anything; it must not abort odenet
    throw ConfigError(path + ": plugin registration failed: it threw something that is not a std::exception");
  }
  plugin_paths().push_back(normal_path(path));
  for (const auto& name : registry.names())
    if (std::find(before.begin(), before.end(), name) == before.end()) scheme_plugins()[name] = normal_path(path);
}

}  // namespace odenet
