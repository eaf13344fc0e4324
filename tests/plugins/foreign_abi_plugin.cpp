// A plugin stamped for another odenet (as one built against an older release would be), whose
// static constructor would abort the process: odenet must refuse it before running any of its code.
#include <cstdlib>

namespace odenet {
class SchemeRegistry;
}

extern "C" __attribute__((section(".odenet_abi"), used)) const char odenet_plugin_abi_stamp[] =
    "odenet 0.1.0 / LibTorch 1.12 / C++11 ABI 0";
extern "C" const char* odenet_plugin_abi() { return odenet_plugin_abi_stamp; }
extern "C" void odenet_register(odenet::SchemeRegistry&) { throw "must not be called"; }

__attribute__((constructor)) static void runs_when_loaded() { std::abort(); }
