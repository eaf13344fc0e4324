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

}  // namespace odenet
