"""Why a ResNet-20 checkpoint evaluates badly: precision or BatchNorm's running statistics?

Evaluates an exported post-activation ResNet-20 (odenet export RUN --out FILE.pt) on all 10,000
Fashion-MNIST test images (odenet's runs here test on a fixed subset of 2,000): in fp32 with
BatchNorm's running statistics, in fp32 with each 500-image test batch's own statistics, and with
--bf16 also under bf16 autocast with running statistics; then prints, per BatchNorm, the mean
running variance against the variance of its input on the last test batch.
Usage: /usr/bin/python3 running_statistics.py FILE.pt [--bf16]
"""
import gzip
import sys

import numpy as np
import torch
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist/t10k-"
sd = torch.load(sys.argv[1])
torch.set_num_threads(1)
probe = {}


def batch_norm(x, name, batch_statistics):
    x = x.float()
    if batch_statistics:
        probe[name] = x.var((0, 2, 3)).mean().item()
        return F.batch_norm(x, None, None, sd[name + ".weight"], sd[name + ".bias"], True)
    return F.batch_norm(x, sd[name + ".running_mean"], sd[name + ".running_var"], sd[name + ".weight"],
                        sd[name + ".bias"], False)


def forward(x, batch_statistics):
    """u_{n+1} = relu(P u_n + f(u_n)), f = bn2∘conv2∘relu∘bn1∘conv1, P: stride and zero-pad the channels."""
    x = F.relu(batch_norm(F.conv2d(x, sd["stem.weight"], padding=1), "stem_bn", batch_statistics))
    for stage in (1, 2, 3):
        for block in (1, 2, 3):
            p = f"stage{stage}.block{block}.f."
            w1, stride = sd[p + "conv1.weight"], 2 if stage > 1 and block == 1 else 1
            h = F.relu(batch_norm(F.conv2d(x, w1, stride=stride, padding=1), p + "bn1", batch_statistics))
            h = batch_norm(F.conv2d(h, sd[p + "conv2.weight"], padding=1), p + "bn2", batch_statistics)
            u = x[:, :, ::stride, ::stride]
            x = F.relu(F.pad(u, (0, 0, 0, 0, 0, w1.shape[0] - u.shape[1])) + h)
    return F.linear(x.mean((2, 3)), sd["fc.weight"], sd["fc.bias"])


images = np.frombuffer(gzip.open(DATA + "images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
labels = np.frombuffer(gzip.open(DATA + "labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
x = (torch.from_numpy(images.copy()).float() / 255 - 0.286) / 0.353
y = torch.from_numpy(labels.astype(np.int64))
modes = [("fp32, running statistics", False, False), ("fp32, batch statistics (500 images)", False, True)]
if "--bf16" in sys.argv:
    modes.insert(1, ("bf16 autocast, running statistics", True, False))
for name, bf16, batch_statistics in modes:
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        logits = torch.cat([forward(x[i:i + 500], batch_statistics) for i in range(0, len(y), 500)]).float()
    error = 100 * (logits.argmax(1) != y).float().mean().item()
    print(f"{name}: test loss {F.cross_entropy(logits, y).item():.3f}, error {error:.2f} %")
print("BatchNorm: mean running variance / mean variance of its input on the last test batch")
for name, variance in probe.items():
    print(f"  {name}: {sd[name + '.running_var'].mean().item():.3f} / {variance:.3f}")
