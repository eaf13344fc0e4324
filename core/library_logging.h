// LibTorch's own log lines (glog, or c10's logger in builds without glog): c10d logs a failed
// connection as "E20261203 09:32:09 socket.cpp:860] [c10d] The client socket has timed out..."
// (after glog's "Logging before InitGoogleLogging()" line) and then throws the same message,
// which odenet reports as its one error line.
#pragma once

namespace odenet {

/// Turns LibTorch's log lines below FATAL off, unless GLOG_minloglevel is set (then glog keeps
/// it). Call once at startup.
void silence_library_logging();

}  // namespace odenet
