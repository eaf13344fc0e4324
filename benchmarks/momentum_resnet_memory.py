"""Peak host memory of one training step of Momentum ResNet-50 or -101 (torchvision's layout, γ = 0.9) with
and without activation recomputation, each in its own process (fp32, 224² inputs, 2 threads).

Prints each process's peak resident memory after the forward pass and after the backward pass (over the
process's baseline after building the model) and the ratios. Usage, from the repository root after a build:
  PYTHONPATH=build/python /usr/bin/python3 benchmarks/momentum_resnet_memory.py [BATCH [DEPTH]]
"""
import resource
import subprocess
import sys


def one_step(recompute, batch, depth):
    import odenet
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = odenet.build_model(f"momentum_resnet{depth}", scheme={"name": "momentum", "gamma": 0.9, "recompute": recompute})
    model.train()
    x = torch.randn(batch, 3, 224, 224)
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB
    base = peak()
    y = model(x)
    forward = peak()
    y.sum().backward()
    print(f"{base:.0f} {forward - base:.0f} {peak() - base:.0f}")


def main():
    if len(sys.argv) > 3:  # a child: "recompute" or "stored", batch, depth
        return one_step(sys.argv[1] == "recompute", int(sys.argv[2]), int(sys.argv[3]))
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    got = {}
    for variant in ("recompute", "stored"):
        out = subprocess.run([sys.executable, __file__, variant, str(batch), str(depth)], capture_output=True, text=True, check=True)
        got[variant] = [float(v) for v in out.stdout.split()]
    print(f"Momentum ResNet-{depth}, batch {batch}, 224², fp32 — MiB over the built model's baseline")
    print("| | after forward | after backward (peak) |")
    print("|---|---:|---:|")
    for variant, (_, forward, total) in got.items():
        print(f"| {variant} | {forward:.0f} | {total:.0f} |")
    r, s = got["recompute"], got["stored"]
    print(f"| ratio | {r[1] / s[1]:.2f} | {r[2] / s[2]:.2f} |")


if __name__ == "__main__":
    main()
