// A scheme plugin that throws something that is not a std::exception while registering:
// odenet must refuse it with one line naming the plugin, not abort.
#include "core/version.h"

ODENET_PLUGIN_ABI_STAMP

namespace odenet {
class SchemeRegistry;
}

extern "C" void odenet_register(odenet::SchemeRegistry&) { throw 42; }
