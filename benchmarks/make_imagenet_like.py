#!/usr/bin/python3
"""An image folder with ImageNet's layout and size distribution, made from the CIFAR-10 JPEG copy:
each 32x32 image upscaled (bicubic) to an ImageNet-like size, detail added (fine texture and
sensor-like noise, so the JPEGs carry ImageNet's high-frequency content and file sizes), saved
at quality 90 as ROOT/{train,val}/<class>/<n>.JPEG.

    benchmarks/make_imagenet_like.py CIFAR10_JPEG_DIR ROOT [--train 2000] [--val 200]

Sizes: width and height drawn around ImageNet's (about 500 x 415 on average, ~85 KB each: the longer side 500
most of the time, landscape 3:4 mostly, some portrait and square, some larger)."""
import argparse
import os

import numpy as np
from PIL import Image


def imagenet_size(rng):
    longer = 500 if rng.random() < 0.7 else int(rng.integers(333, 801))
    aspect = rng.choice([4 / 3] * 7 + [3 / 2, 1.0, 3 / 4])
    if aspect >= 1:
        return longer, max(64, int(round(longer / aspect)))
    return max(64, int(round(longer * aspect))), longer


def detailed(source, size, rng):
    w, h = size
    image = np.asarray(source.convert("RGB").resize((w, h), Image.BICUBIC), np.float32)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    fx, fy, phase = rng.uniform(0.15, 0.6), rng.uniform(0.15, 0.6), rng.uniform(0, 6.3)
    texture = 16 * np.sin(fx * x + phase) * np.sin(fy * y)  # fine texture, like fabric or foliage
    image += texture[..., None] + rng.normal(0, 12, image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def write_split(sources, root, split, count, rng):
    classes = sorted(sources)
    for k in range(count):
        label = classes[k % len(classes)]
        files = sources[label]
        source = Image.open(files[int(rng.integers(len(files)))])
        directory = os.path.join(root, split, label)
        os.makedirs(directory, exist_ok=True)
        detailed(source, imagenet_size(rng), rng).save(os.path.join(directory, f"{k:06d}.JPEG"), quality=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cifar10", help="the CIFAR-10 JPEG copy (its train/<class>/ folders)")
    parser.add_argument("root")
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--val", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    train = os.path.join(args.cifar10, "train")
    sources = {c: [os.path.join(train, c, f) for f in sorted(os.listdir(os.path.join(train, c)))]
               for c in os.listdir(train) if os.path.isdir(os.path.join(train, c))}
    write_split(sources, args.root, "train", args.train, rng)
    write_split(sources, args.root, "val", args.val, rng)


if __name__ == "__main__":
    main()
