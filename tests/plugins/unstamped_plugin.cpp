// A plugin without an ABI stamp (as built against an odenet before the stamp existed), whose
// static constructor would abort the process: odenet must refuse it before running any of its code.
#include <cstdlib>

namespace odenet {
class SchemeRegistry;
}

extern "C" void odenet_register(odenet::SchemeRegistry&) { throw "must not be called"; }

__attribute__((constructor)) static void runs_when_loaded() { std::abort(); }
