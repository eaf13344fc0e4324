#include "discretizations/elf_section.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/error.h"

namespace odenet {
namespace {

constexpr size_t kMaxPluginBytes = size_t(1) << 31;  // 2 GiB: no plugin is larger

}  // namespace

std::optional<std::string> read_elf_section(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read plugin file");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(in.tellg());
  if (size > kMaxPluginBytes) throw ConfigError(path + ": not a plugin: larger than 2 GiB");
  in.seekg(0);
  std::vector<char> bytes(size);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) throw ConfigError(path + ": cannot read plugin file");
  auto bad = [&](const std::string& why) { return ConfigError(path + ": not a shared library odenet can load: " + why); };
  Elf64_Ehdr header;
  if (size < sizeof header) throw bad("shorter than an ELF header");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) throw bad("no ELF header");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB)
    throw bad("not a 64-bit little-endian ELF object");
  // Every offset and size is checked against the file before it is used (the file is untrusted).
  auto inside = [&](uint64_t offset, uint64_t length) { return offset <= size && length <= size - offset; };
  if (header.e_shentsize != sizeof(Elf64_Shdr) || !inside(header.e_shoff, uint64_t(header.e_shnum) * sizeof(Elf64_Shdr)))
    throw bad("section headers outside the file");
  if (header.e_shstrndx >= header.e_shnum) throw bad("no section name table");
  auto section = [&](size_t i) {
    Elf64_Shdr s;
    std::memcpy(&s, bytes.data() + header.e_shoff + i * sizeof s, sizeof s);
    return s;
  };
  const Elf64_Shdr names = section(header.e_shstrndx);
  if (!inside(names.sh_offset, names.sh_size)) throw bad("section name table outside the file");
  for (size_t i = 0; i < header.e_shnum; ++i) {
    const Elf64_Shdr s = section(i);
    if (s.sh_name >= names.sh_size) continue;
    const char* begin = bytes.data() + names.sh_offset + s.sh_name;
    const size_t room = names.sh_size - s.sh_name;
    if (std::string(begin, strnlen(begin, room)) != name) continue;
    if (s.sh_type == SHT_NOBITS || !inside(s.sh_offset, s.sh_size)) throw bad("section " + name + " outside the file");
    return std::string(bytes.data() + s.sh_offset, s.sh_size);
  }
  return std::nullopt;
}

}  // namespace odenet
