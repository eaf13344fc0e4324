#include "discretizations/plugin_loader.h"

#include <dlfcn.h>

#include <filesystem>

#include "core/error.h"
#include "core/version.h"

namespace odenet {

namespace {
std::vector<std::string>& plugin_paths() {
  static std::vector<std::string> paths;
  return paths;
}
}  // namespace

const std::vector<std::string>& loaded_plugins() { return plugin_paths(); }

void load_scheme_plugin(const std::string& path, SchemeRegistry& registry) {
  if (!std::filesystem::exists(path)) throw ConfigError(path + ": cannot load plugin: no such file");
  // Kept loaded for the life of the process: its modules live in odenet's models.
  void* handle = ::dlopen(std::filesystem::absolute(path).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw ConfigError(path + ": cannot load plugin: " + ::dlerror());
  using Register = void (*)(SchemeRegistry&);
  auto reg = reinterpret_cast<Register>(::dlsym(handle, "odenet_register"));
  if (!reg) throw ConfigError(path + ": not an odenet plugin: it exports no odenet_register function");
  // Checked before any of the plugin's code runs: a plugin built for another odenet would crash in it.
  using Abi = const char* (*)();
  auto abi = reinterpret_cast<Abi>(::dlsym(handle, "odenet_plugin_abi"));
  if (!abi)
    throw ConfigError(path + ": plugin has no ABI stamp (built for an odenet before " ODENET_VERSION
                             " or without ODENET_PLUGIN_ABI_STAMP): rebuild it against this odenet");
  if (std::string(abi()) != ODENET_PLUGIN_ABI)
    throw ConfigError(path + ": plugin built for " + abi() + ", this is " ODENET_PLUGIN_ABI ": rebuild it against this odenet");
  try {
    reg(registry);
  } catch (const std::exception& e) {
    throw ConfigError(path + ": plugin registration failed: " + e.what());
  } catch (...) {  // a plugin may throw anything; it must not abort odenet
    throw ConfigError(path + ": plugin registration failed: it threw something that is not a std::exception");
  }
  plugin_paths().push_back(std::filesystem::absolute(path).string());
}

}  // namespace odenet
