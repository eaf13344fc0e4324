#include "core/error_text.h"

#include <c10/util/Exception.h>

namespace odenet {

std::string first_line(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const std::string what = torch_error ? torch_error->what_without_backtrace() : e.what();
  return what.substr(0, what.find('\n'));
}

}  // namespace odenet
