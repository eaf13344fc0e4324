// A plugin without an ABI stamp (as built against an odenet before the stamp existed):
// odenet must refuse it before running any of its code.
namespace odenet {
class SchemeRegistry;
}

extern "C" void odenet_register(odenet::SchemeRegistry&) { throw "must not be called"; }
