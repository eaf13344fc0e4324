// odenet's version and the ABI stamp a scheme plugin carries: a plugin is loaded only by an
// odenet of the same version, built on the same LibTorch with the same C++ library ABI
// (classes such as StepImpl and SchemeRegistry cross the boundary by layout).
#pragma once
#include <cstddef>  // defines _GLIBCXX_USE_CXX11_ABI
#include <torch/version.h>

#define ODENET_VERSION "0.5.0"

#define ODENET_STRINGIFY_(x) #x
#define ODENET_STRINGIFY(x) ODENET_STRINGIFY_(x)
#define ODENET_PLUGIN_ABI                                                                     \
  "odenet " ODENET_VERSION " / LibTorch " ODENET_STRINGIFY(TORCH_VERSION_MAJOR) "." ODENET_STRINGIFY( \
      TORCH_VERSION_MINOR) " / C++11 ABI " ODENET_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)

/// Put once in a plugin's source: exports the ABI the plugin was built for, which odenet's
/// loader compares with its own before calling odenet_register.
#define ODENET_PLUGIN_ABI_STAMP \
  extern "C" __attribute__((visibility("default"))) const char* odenet_plugin_abi() { return ODENET_PLUGIN_ABI; }
