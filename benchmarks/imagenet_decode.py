#!/usr/bin/env python3
"""One ImageNet training view per JPEG, per core: odenet's (only the crop's rows and columns
decoded — with --dct-scaling at a reduced DCT scale where the crop stays twice the target — then an
antialiased resize) against torchvision's loader path
(PIL decode of the whole image, then RandomResizedCrop's crop and resize), on the same JPEGs and
the same crop boxes, in one process on one core.

    PYTHONPATH=build/python benchmarks/imagenet_decode.py [--images 300] [--repeats 3] [--dct-scaling]

Prints images/s for both, their ratio, and how far apart the views are (mean |difference| in
8-bit levels). The JPEGs are made here: photograph-like content (smooth gradients, edges and
noise), 400-600 x 300-450 pixels (ImageNet's ~500 x 375 on average), quality 90."""
import argparse
import io
import os
import tempfile
import time

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image

import odenet


def make_jpegs(directory, count, rng):
    paths = []
    for k in range(count):
        h, w = int(rng.integers(300, 451)), int(rng.integers(400, 601))
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        image = np.empty((h, w, 3), np.float32)
        for c in range(3):
            a, b, phase = rng.uniform(0.005, 0.05, 2).tolist() + [rng.uniform(0, 6.3)]
            image[..., c] = 128 + 70 * np.sin(a * x + phase) * np.cos(b * y) + 40 * ((x // 50 + y // 40) % 2 - 0.5)
        image += rng.normal(0, 6, image.shape)
        path = os.path.join(directory, f"{k:04d}.jpg")
        Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path, quality=90)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dct-scaling", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as directory:
        paths = make_jpegs(directory, args.images, rng)
        files = [open(p, "rb").read() for p in paths]
        torch.manual_seed(0)
        boxes = []
        for data in files:
            w, h = Image.open(io.BytesIO(data)).size
            boxes.append(T.RandomResizedCrop.get_params(torch.empty(1, h, w), [0.08, 1.0], [3 / 4, 4 / 3]))

        def torchvision_views():
            return [np.asarray(F.resized_crop(Image.open(io.BytesIO(data)).convert("RGB"), *box, [224, 224]))
                    for data, box in zip(files, boxes)]

        def odenet_views():
            return [odenet.decode_resized_crop(data, list(box), 224, 224, args.dct_scaling).numpy() for data, box in zip(files, boxes)]

        rates = {}
        for name, views in (("torchvision (PIL)", torchvision_views), ("odenet", odenet_views)):
            views()  # warm-up
            best = 0.0
            for _ in range(args.repeats):
                start = time.perf_counter()
                views()
                best = max(best, len(files) / (time.perf_counter() - start))
            rates[name] = best
            print(f"{name:>18}: {best:7.1f} images/s on one core (best of {args.repeats})")
        print(f"{'ratio':>18}: {rates['odenet'] / rates['torchvision (PIL)']:.2f}x")
        theirs, ours = torchvision_views(), odenet_views()
        diff = np.mean([np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(theirs, ours)])
        print(f"{'views differ by':>18}: {diff:.2f} levels (mean |difference|; PIL rounds between its two passes, "
              f"and odenet's decoder does part of the reduction)")


if __name__ == "__main__":
    main()
