#pragma once

namespace odenet {

/// Sets LibTorch's intra-op thread count (it starts at 1 here) before any op
/// runs; `requested` <= 0 means all cores. Returns the count in use.
int configure_threads(int requested);

}  // namespace odenet
