#include "core/library_logging.h"

#include <c10/util/Logging.h>
#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>

namespace odenet {

void silence_library_logging() {
  if (std::getenv("GLOG_minloglevel")) return;
  constexpr int kFatal = 3;
  FLAGS_caffe2_log_level = kFatal;  // c10's logger, in builds without glog
#ifdef C10_USE_GLOG
  // glog's threshold, found at run time: LibTorch links glog, odenet does not.
  if (auto* level = static_cast<int32_t*>(::dlsym(RTLD_DEFAULT, "_ZN3fLI17FLAGS_minloglevelE"))) *level = kFatal;
#endif
}

}  // namespace odenet
