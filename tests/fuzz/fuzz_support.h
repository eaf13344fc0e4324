// Shared by the fuzz targets: the input as a file (odenet's readers take paths), and the rule
// that bad input may only end in odenet's own one-line errors.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace odenet::fuzz {

/// A per-process scratch file holding `data`.
inline std::string input_file(const uint8_t* data, size_t size, const char* suffix = "") {
  static const std::string base = "/tmp/odenet-fuzz-" + std::to_string(::getpid());
  const std::string path = base + suffix;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

}  // namespace odenet::fuzz
