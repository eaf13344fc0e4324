// odenet's version and the ABI stamp a scheme plugin carries: a plugin is loaded only by an
// odenet of the same version, built on the same LibTorch with the same C++ library ABI
// (classes such as StepImpl and SchemeRegistry cross the boundary by layout).
#pragma once
#include <cstddef>  // defines _GLIBCXX_USE_CXX11_ABI
#include <torch/version.h>

#define ODENET_VERSION "0.6.0"

#define ODENET_STRINGIFY_(x) #x
#define ODENET_STRINGIFY(x) ODENET_STRINGIFY_(x)
#define ODENET_PLUGIN_ABI                                                                     \
  "odenet " ODENET_VERSION " / LibTorch " ODENET_STRINGIFY(TORCH_VERSION_MAJOR) "." ODENET_STRINGIFY( \
      TORCH_VERSION_MINOR) " / C++11 ABI " ODENET_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)

/// The ELF section a plugin's ABI stamp lives in: odenet's loader reads it from the file, before
/// dlopen runs any of the plugin's code (its static constructors included).
#define ODENET_PLUGIN_ABI_SECTION ".odenet_abi"

/// Put once in a plugin's source: records the ABI the plugin was built for in the section above
/// (and exports it as odenet_plugin_abi()); odenet's loader compares it with its own first.
#define ODENET_PLUGIN_ABI_STAMP                                                                    \
  extern "C" __attribute__((section(ODENET_PLUGIN_ABI_SECTION), used, visibility("default"))) const \
      char odenet_plugin_abi_stamp[] = ODENET_PLUGIN_ABI;                                           \
  extern "C" __attribute__((visibility("default"))) const char* odenet_plugin_abi() { return odenet_plugin_abi_stamp; }
