"""What one elementwise pass over ResNet-20's states costs here (the unit LM-ResNet's extra time is made of).

Times reads and writes over the three stages' state tensors at batch 128 (channels-last, fp32), with the
cache flushed before each call (in training the states are cold), median of 40 calls, summed over stages.
Usage: /usr/bin/python3 benchmarks/memory_pass.py [THREADS]
"""
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
SIZES = [(128, 16, 32, 32), (128, 32, 16, 16), (128, 64, 8, 8)]
flush = torch.empty(64 * 1024 * 1024 // 4)


def median_seconds(f, n=40):
    times = []
    for _ in range(n):
        flush.fill_(1.0)
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return sorted(times)[n // 2]


total = {}
for shape in SIZES:
    a, b, c, o = (torch.randn(shape).contiguous(memory_format=torch.channels_last) for _ in range(4))
    ops = {"a.sum()  (1 read)": lambda: a.sum(),
           "o = 2a   (1 read, 1 write)": lambda: torch.mul(a, 2, out=o),
           "o = a + b (2 reads, 1 write)": lambda: torch.add(a, b, out=o),
           "a += b   (2 reads, 1 write in place)": lambda: a.add_(b),
           "o = a + b c (3 reads, 1 write)": lambda: torch.addcmul(a, b, c, out=o)}
    for name, f in ops.items():
        total[name] = total.get(name, 0.0) + median_seconds(f)
print(f"cold-cache ms over the three ResNet-20 stage states, batch 128, {torch.get_num_threads()} thread(s):")
for name, seconds in total.items():
    print(f"  {name:38s} {1e3 * seconds:6.2f}")
