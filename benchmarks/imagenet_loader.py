#!/usr/bin/python3
"""ImageNet loading speed: decode + RandomResizedCrop 224 + flip (+ normalisation to float), in
images/s, for odenet's loader reading an image folder and a pack, against torchvision's
ImageFolder + DataLoader with PIL on the same folder and the same number of workers; interleaved
rounds, medians, ratios against torchvision at each worker count.

    benchmarks/imagenet_loader.py FOLDER PACKED [--workers 1 2] [--batches 30] [--rounds 3]

FOLDER holds train/<class>/*.JPEG, PACKED the packs of the same images (`odenet pack`).
benchmarks/imagenet_loader.sh makes both and runs this."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torchvision.datasets as datasets
import torchvision.transforms as T

BATCH = 64


def torchvision_rate(folder, workers, batches):
    transform = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(),
                           T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    data = datasets.ImageFolder(os.path.join(folder, "train"), transform)
    loader = torch.utils.data.DataLoader(data, batch_size=BATCH, shuffle=True, num_workers=workers)
    start = time.perf_counter()  # from an empty pipeline, as odenet's is timed
    count = 0
    for k, (images, _) in enumerate(loader):
        count += images.shape[0]
        if k + 1 == batches:
            break
    return count / (time.perf_counter() - start)


def odenet_rate(odenet, root, workers, batches, scratch):
    experiment = os.path.join(scratch, "loader.json")
    with open(experiment, "w") as f:
        json.dump({"name": "loader", "dataset": {"name": "imagenet", "root": root},
                   "model": {"preset": "resnet50"}, "train": {"epochs": 1, "batch_size": BATCH}, "seeds": [0]}, f)
    out = subprocess.run([odenet, "data-speed", experiment, "--workers", str(workers), "--batches", str(batches), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]["images_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("packed")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count()])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--odenet", default="build/cli/odenet")
    args = parser.parse_args()
    torch.set_num_threads(1)
    loaders = {"torchvision (PIL)": lambda w, s: torchvision_rate(args.folder, w, args.batches),
               "odenet, folder": lambda w, s: odenet_rate(args.odenet, args.folder, w, args.batches, s),
               "odenet, pack": lambda w, s: odenet_rate(args.odenet, args.packed, w, args.batches, s)}
    rates = {(name, w): [] for name in loaders for w in args.workers}
    with tempfile.TemporaryDirectory() as scratch:
        for r in range(args.rounds):
            for w in args.workers:
                for name, measure in loaders.items():
                    rates[(name, w)].append(measure(w, scratch))
                    print(f"round {r + 1}: {name}, {w} worker(s): {rates[(name, w)][-1]:.1f} images/s", file=sys.stderr)
    median = {key: statistics.median(v) for key, v in rates.items()}
    print(f"\n{args.batches} batches of {BATCH} from an empty pipeline, medians of {args.rounds} interleaved rounds")
    print(f"| loader | workers | images/s | per worker | × torchvision | of linear |")
    print(f"|---|---:|---:|---:|---:|---:|")
    for name in loaders:
        one = median[(name, args.workers[0])] / args.workers[0]
        for w in args.workers:
            rate = median[(name, w)]
            ratio = rate / median[("torchvision (PIL)", w)]
            print(f"| {name} | {w} | {rate:.0f} | {rate / w:.0f} | {ratio:.2f} | {rate / (w * one):.2f} |")


if __name__ == "__main__":
    main()
