// A plugin stamped for another odenet (as one built against an older release would be):
// odenet must refuse it before running any of its code.
namespace odenet {
class SchemeRegistry;
}

extern "C" const char* odenet_plugin_abi() { return "odenet 0.1.0 / LibTorch 1.12 / C++11 ABI 0"; }
extern "C" void odenet_register(odenet::SchemeRegistry&) { throw "must not be called"; }
