// A plugin file's ELF headers, read for its ABI stamp before anything loads it.
#include "core/error.h"
#include "discretizations/elf_section.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    odenet::read_elf_section(odenet::fuzz::input_file(data, size, ".so"), ".odenet_abi");
  } catch (const odenet::Error&) {
  }
  return 0;
}
