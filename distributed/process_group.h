// A data-parallel group over c10d: a TCPStore for the rendezvous (hosted by
// rank 0, or by torchrun's agent), a Gloo process group for the gradients and
// one for everything else, and bucketed gradient all-reduces started from
// autograd hooks while backward is still running.
#pragma once
#include <chrono>
#include <memory>

#include "core/data_parallel.h"
#include "distributed/world.h"

namespace odenet {

/// True when this build has c10d's Gloo backend (Debian: libgloo-dev at build time).
bool data_parallel_available();

/// Joins the group `world` describes; a collective that waits longer than `timeout` (a rank that
/// died or hangs) is an Error naming the rank and the operation. A ConfigError without Gloo.
std::unique_ptr<DataParallelGroup> join_group(const WorldInfo& world, std::chrono::milliseconds timeout);

}  // namespace odenet
