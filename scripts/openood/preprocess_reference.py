#!/usr/bin/env python3
"""OpenOOD's own reading of one image list, for checking Repro's decoder (Repro.Core/Data/OpenOodImageList.cs).

Reads DATA/benchmark_imglist/LIST as openood/datasets/imglist_dataset.py does (a line split at its first space,
the image under DATA/images_classic/) and transforms each image as openood/evaluation_api/preprocessor.py's
TestStandardPreProcessor does for CIFAR-10 -- Convert('RGB'), Resize(32, BILINEAR), CenterCrop(32) -- with
torchvision's own transforms, stopping before ToTensor/Normalize: the uint8 [N, 3, 32, 32] array is written as .npy.

usage: preprocess_reference.py DATA LIST OUT.npy   (e.g. data/openood cifar10/test_tin.txt tin.npy)
"""
import os
import sys

import numpy as np
import torchvision.transforms as tvs_trans
from PIL import Image


def main(data, list_name, out):
    transform = tvs_trans.Compose([
        tvs_trans.Resize(32, interpolation=tvs_trans.InterpolationMode.BILINEAR),
        tvs_trans.CenterCrop(32),
        tvs_trans.PILToTensor(),
    ])
    images = []
    with open(os.path.join(data, 'benchmark_imglist', list_name)) as f:
        for line in f.readlines():
            image_name, _ = line.strip('\n').split(' ', 1)
            with open(os.path.join(data, 'images_classic', image_name), 'rb') as image_file:
                image = Image.open(image_file).convert('RGB')
                images.append(transform(image).numpy())
    np.save(out, np.stack(images).astype(np.uint8))
    print(f'{out}: {len(images)} images')


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
