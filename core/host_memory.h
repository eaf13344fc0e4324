// Host memory between training steps. glibc's malloc serves blocks above a
// moving threshold with fresh mappings, unmaps them when they are freed and
// trims the heap's top: a step that frees and reallocates its activations may
// then fault on every page again — on ResNet-20 (batch 128, CIFAR-10) up to
// ~18,000 page faults per step, 5–8 % of its time, in some processes and
// none in others.
#pragma once

namespace odenet {

/// Keeps freed memory in the process: the mmap threshold at glibc's maximum (32 MiB; larger blocks
/// are still mapped) and the trim threshold at 1 GiB. Call once at startup, before any tensor is
/// allocated. Does nothing off glibc or when GLIBC_TUNABLES already sets malloc's thresholds.
void keep_freed_host_memory();

}  // namespace odenet
