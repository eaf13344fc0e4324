// Reads one section of an ELF shared object from its file, without loading it: how a plugin's ABI
// stamp is checked before dlopen runs any of its code.
#pragma once
#include <optional>
#include <string>

namespace odenet {

/// The contents of section `name` of the 64-bit little-endian ELF file `path`; empty when the file
/// has no such section. A file that is not such an ELF object, or whose headers point outside it,
/// is a ConfigError naming it.
std::optional<std::string> read_elf_section(const std::string& path, const std::string& name);

}  // namespace odenet
