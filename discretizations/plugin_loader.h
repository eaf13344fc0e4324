// External scheme plugins: shared libraries exporting
//   extern "C" void odenet_register(odenet::SchemeRegistry&);
#pragma once
#include <string>

#include "discretizations/scheme.h"

namespace odenet {

/// dlopens `path` and calls its odenet_register on `registry`. A missing file,
/// a library without the symbol or a duplicate scheme name is an Error naming the path.
void load_scheme_plugin(const std::string& path, SchemeRegistry& registry);

}  // namespace odenet
