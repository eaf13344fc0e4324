#!/usr/bin/env python3
"""Usage: /usr/bin/python3 benchmarks/bf16_batchnorm_policy.py [ROUNDS]

PyTorch's ResNet-20 (the speed baseline) under bf16 autocast, channels-last, on one fixed batch:
BatchNorm as PyTorch runs it (bf16 in and out) against BatchNorm in fp32 returning fp32, odenet's
policy (core/sync_batch_norm.cpp), in interleaved rounds of one process."""
import os, sys, time, torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "baselines"))
import pytorch_cifar as pc
torch.set_num_threads(2)

class Fp32BatchNorm(torch.nn.BatchNorm2d):
    def forward(self, x):
        return super().forward(x.float())

def model(fp32_bn):
    torch.manual_seed(0)
    m = pc.ResNet20()
    if fp32_bn:
        for name, mod in list(m.named_modules()):
            for cname, c in list(mod.named_children()):
                if isinstance(c, torch.nn.BatchNorm2d):
                    n = Fp32BatchNorm(c.num_features); n.load_state_dict(c.state_dict()); setattr(mod, cname, n)
    return m.to(memory_format=torch.channels_last)

x = torch.randn(128, 3, 32, 32).contiguous(memory_format=torch.channels_last); y = torch.randint(0, 10, (128,))
runs = {}
for name, fp32 in (("bf16 BatchNorm (PyTorch)", False), ("fp32 BatchNorm, fp32 stream (odenet's policy)", True)):
    m = model(fp32); opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    def step(m=m, opt=opt):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = torch.nn.functional.cross_entropy(m(x), y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    runs[name] = step
rates = {n: [] for n in runs}
for r in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
    for n, step in (runs.items() if r % 2 == 0 else reversed(list(runs.items()))):
        for _ in range(3): step()
        t = time.perf_counter()
        for _ in range(10): step()
        rates[n].append(1280 / (time.perf_counter() - t))
import statistics
base = rates["bf16 BatchNorm (PyTorch)"]
for n, v in rates.items():
    print(f"{n}: {statistics.median(v):.0f} images/s, ratio {statistics.median([a / b for a, b in zip(v, base)]):.3f}")
