// An exception's message as one line: LibTorch's errors carry a C++ stack trace and several
// lines of context after their first; odenet reports the first.
#pragma once
#include <exception>
#include <string>

namespace odenet {

/// The first line of `e`'s message (a c10::Error's without its backtrace).
std::string first_line(const std::exception& e);

}  // namespace odenet
