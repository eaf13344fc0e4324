#pragma once

namespace odenet {

/// Sets LibTorch's intra-op thread count (it starts at 1 here) before any op
/// runs; `requested` <= 0 means all cores. Returns the count in use.
int configure_threads(int requested);

/// The cores of this machine (at least 1).
int available_cores();

/// Each process's share of the cores when `processes` of them share this machine (at least 1):
/// parallel jobs, or the data-parallel ranks of one node.
int threads_per_process(int processes);

}  // namespace odenet
