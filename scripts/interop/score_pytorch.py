#!/usr/bin/env python3
"""Score images with a model exported by `repro export`, in plain PyTorch.

The network is defined here from the paper (Haas et al., train-time L2 normalization of the penultimate feature z) and
DDU's description of its ResNet18 (Mukhoti et al.; omegafragger/DDU net/resnet.py, net/spectral_normalization/) as
the export's JSON sidecar states them -- not by calling Repro's code -- so agreement with Repro's own scores checks
both the export and the network's definition.

    python3 scripts/interop/score_pytorch.py MODEL.pt|MODEL.safetensors --images ID_SET [OOD_SET ...] [--out DIR]

Each image set is a .npy file of uint8 pixels [N, C, H, W] (or [N, H, W]) or an IDX image file (MNIST's format,
optionally gzipped). Per set it writes DIR/<set>.csv: index, feature_norm (||z||_2 of the raw penultimate feature, the
paper's OoD score) and the logits; with two or more sets it prints each later set's AUROC against the first by
feature_norm (higher = more in-distribution). Reads the sidecar MODEL.<ext>.json. Evaluation mode only: BatchNorm
uses its running statistics and spectral normalization its stored u, v (no power iteration).
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SpectralNormConv(nn.Module):
    """A bias-free conv whose weight is divided by max(1, sigma / c) (+1e-5 for k x k kernels), sigma estimated from
    the stored singular vectors: for a k x k kernel on the convolution operator at its input shape (u: output shape,
    v: input shape; sigma = <u, conv(v)>), for a 1x1 kernel on the matrix W[out, in]."""

    def __init__(self, c_in, c_out, kernel, stride, in_size, sn):
        super().__init__()
        self.stride, self.padding = stride, kernel // 2
        self.coefficient, self.term = sn["coefficient"], sn["operatorStabilityTerm"]
        self.matrix = kernel == 1
        self.weight = nn.Parameter(torch.empty(c_out, c_in, kernel, kernel))
        out_size = (in_size + 2 * self.padding - kernel) // stride + 1
        self.register_buffer("u", torch.empty(c_out) if self.matrix else torch.empty(1, c_out, out_size, out_size))
        self.register_buffer("v", torch.empty(c_in) if self.matrix else torch.empty(1, c_in, in_size, in_size))

    def forward(self, x):
        w = self.weight
        if self.matrix:
            sigma = torch.dot(self.u, w.flatten(1) @ self.v)
            w = w / torch.clamp(sigma / self.coefficient, min=1.0)
        else:
            sigma = (self.u * F.conv2d(self.v, w, stride=self.stride, padding=self.padding)).sum()
            w = w / (torch.clamp(sigma / self.coefficient, min=1.0) + self.term)
        return F.conv2d(x, w, stride=self.stride, padding=self.padding)


def conv(c_in, c_out, kernel, stride, in_size, sn):
    if sn is not None:
        return SpectralNormConv(c_in, c_out, kernel, stride, in_size, sn)
    return nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False)


class AvgPoolShortcut(nn.Module):
    """DDU's parameter-free shortcut: average-pool by the stride (a strided 1x1 pool on an odd side), zero channels after."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.extra, self.stride = c_out - c_in, stride

    def forward(self, x):
        kernel = 1 if x.shape[2] % 2 else self.stride
        return F.pad(F.avg_pool2d(x, kernel, self.stride), (0, 0, 0, 0, 0, self.extra))


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride, in_size, arch, act):
        super().__init__()
        sn = arch["spectralNorm"]
        self.act = act
        self.conv1 = conv(c_in, c_out, 3, stride, in_size, sn)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = conv(c_out, c_out, 3, 1, (in_size + 2 - 3) // stride + 1, sn)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = None
        if stride != 1 or c_in != c_out:
            self.shortcut = (AvgPoolShortcut(c_in, c_out, stride) if arch["shortcut"] == "avgpool"
                             else nn.Sequential(conv(c_in, c_out, 1, stride, in_size, sn), nn.BatchNorm2d(c_out)))

    def forward(self, x):
        h = self.act(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return self.act(h + (x if self.shortcut is None else self.shortcut(x)))


class ResNet18(nn.Module):
    """CIFAR ResNet18: 3x3 stem without max-pool, stages of widths w, 2w, 4w, 8w, global average pool to z, then fc."""

    def __init__(self, arch):
        super().__init__()
        w, size = arch["width"], arch["inputSize"]
        slope = arch["leakyReluSlope"]
        # Spelled as config.json spells it; sidecars of format repro-export/1 wrote leaky_relu.
        self.act = (lambda x: F.leaky_relu(x, slope)) if arch["activation"] in ("leaky-relu", "leaky_relu") else F.relu
        self.conv1 = conv(arch["inputChannels"], w, 3, 1, size, arch["spectralNorm"])
        self.bn1 = nn.BatchNorm2d(w)
        stages, c_in = [], w
        for width, stride in ((w, 1), (2 * w, 2), (4 * w, 2), (8 * w, 2)):
            first = BasicBlock(c_in, width, stride, size, arch, self.act)
            size = (size + 2 - 3) // stride + 1
            stages.append(nn.Sequential(first, BasicBlock(width, width, 1, size, arch, self.act)))
            c_in = width
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(8 * w, arch["numClasses"])
        norm = arch["featureNormalization"]
        self.normalize_in_eval = norm["mode"] == "always"
        self.eps, self.temperature = norm["epsilon"], norm["temperature"]

    def forward(self, x):
        """Returns (logits, z): z is the raw penultimate feature, the classifier sees it as the normalization says."""
        h = self.act(self.bn1(self.conv1(x)))
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        z = F.adaptive_avg_pool2d(h, 1).flatten(1)
        seen = z / (z.norm(dim=1, keepdim=True).clamp(min=self.eps) * self.temperature) if self.normalize_in_eval \
            else z / self.temperature
        return self.fc(seen), z


def load_state_dict(path):
    if path.endswith(".safetensors"):
        return read_safetensors(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # PyTorch before 1.13 has no weights_only
        return torch.load(path, map_location="cpu")


def read_safetensors(path):
    """The safetensors format read directly (8-byte header length, JSON header, raw bytes), so the separate
    `safetensors` package is not needed."""
    dtypes = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
              "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = bytearray(data[8 + n:])
    state = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = dtypes[entry["dtype"]]
        count = (end - begin) // torch.empty(0, dtype=dtype).element_size()
        flat = torch.frombuffer(body, dtype=dtype, offset=begin, count=count) if count else torch.empty(0, dtype=dtype)
        state[name] = flat.reshape(entry["shape"]).clone()
    return state


def read_images(path):
    """uint8 [N, C, H, W] from .npy or an IDX image file (magic 0x00000803, big-endian sizes; gzipped or not)."""
    if path.endswith(".npy"):
        images = np.load(path)
    else:
        with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
            raw = f.read()
        magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
        if magic != 0x803:
            sys.exit(f"{path}: expected an IDX image file (magic 0x00000803), found 0x{magic:08x}")
        images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows, cols)
    if images.dtype != np.uint8 or images.ndim not in (3, 4):
        sys.exit(f"{path}: expected uint8 pixels [N, C, H, W] or [N, H, W], found {images.dtype} {list(images.shape)}")
    return images[:, None] if images.ndim == 3 else images


def score(model, images, prep, batch=500):
    mean = torch.tensor(prep["mean"], dtype=torch.float32).view(1, -1, 1, 1)
    std = torch.tensor(prep["std"], dtype=torch.float32).view(1, -1, 1, 1)
    norms, logits = [], []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            x = (torch.from_numpy(np.array(images[start:start + batch])).float() / 255 - mean) / std
            out, z = model(x)
            norms.append(z.norm(dim=1))
            logits.append(out)
    return torch.cat(norms).numpy(), torch.cat(logits).numpy()


def auroc(id_scores, ood_scores):
    """P(an ID sample scores above an OoD one), ties counting half (the Mann-Whitney U statistic)."""
    both = np.concatenate([id_scores, ood_scores])
    order = both.argsort(kind="mergesort")
    ranks = np.empty(len(both))
    sorted_scores = both[order]
    i = 0
    while i < len(both):
        j = i
        while j + 1 < len(both) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_id, n_ood = len(id_scores), len(ood_scores)
    return (ranks[:n_id].sum() - n_id * (n_id + 1) / 2) / (n_id * n_ood)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", help="MODEL.pt (torch.save state_dict) or MODEL.safetensors, from `repro export`")
    parser.add_argument("--images", nargs="+", required=True, help=".npy (uint8 [N,C,H,W] or [N,H,W]) or IDX image files; the first is taken as in-distribution for AUROC")
    parser.add_argument("--out", default=".", help="folder for <set>.csv (default: current folder)")
    parser.add_argument("--sidecar", help="the export's JSON sidecar (default WEIGHTS.json)")
    args = parser.parse_args()

    with open(args.sidecar or args.weights + ".json") as f:
        sidecar = json.load(f)
    model = ResNet18(sidecar["architecture"])
    model.load_state_dict(load_state_dict(args.weights), strict=True)
    model.eval()
    prep = sidecar["preprocessing"]
    os.makedirs(args.out, exist_ok=True)
    norms = []
    for path in args.images:
        images = read_images(path)
        if list(images.shape[1:]) != [prep["channels"], prep["size"], prep["size"]]:
            sys.exit(f"{path}: expected images of {prep['channels']}x{prep['size']}x{prep['size']}, found {'x'.join(map(str, images.shape[1:]))}")
        norm, logits = score(model, images, prep)
        name = os.path.basename(path).split(".")[0]
        out = os.path.join(args.out, f"{name}.csv")
        with open(out, "w") as f:
            f.write("index,feature_norm," + ",".join(f"logit_{c}" for c in range(logits.shape[1])) + "\n")
            for i in range(len(norm)):
                f.write(f"{i},{norm[i]:.9g}," + ",".join(f"{v:.9g}" for v in logits[i]) + "\n")
        norms.append(norm)
        print(f"{path}: {len(norm)} images, mean ||z|| {norm.mean():.4f}, mean max logit {logits.max(1).mean():.4f} -> {out}")
    for path, norm in zip(args.images[1:], norms[1:]):
        print(f"AUROC by feature_norm, {os.path.basename(args.images[0])} (ID) vs {os.path.basename(path)}: {auroc(norms[0], norm):.4f}")


if __name__ == "__main__":
    main()
