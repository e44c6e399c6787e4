#!/usr/bin/env python3
"""PyTorch peer of `repro bench`: the same ResNet18 rows (read from experiments/table1.json), the same SGD step on
synthetic, already-normalized batches, timed the same way (warm-up, then timed steps with the loss read back each step,
as Repro's loop does). Writes a JSON list like `repro bench --json`, with a "system" field per mode.

A mode is PRECISION[+COMPILE]: fp32 (eager, NCHW) or bf16 (autocast + channels_last), optionally through torch.compile
in its default mode (+compile) or with mode="max-autotune" (+max-autotune, which adds CUDA graphs); "compile" alone is
bf16+compile. Compilation happens in the warm-up steps, timed apart ("warmupSeconds"). --processes N runs N copies at
once (each its own process and CUDA context, as users share one card among runs at batch 128): img/s is all copies'
images over the span from the first timed step's start to the last one's end.

  python3 scripts/peer/train_step.py --rows l2-60,logitnorm-60 --batch 128,1024 --modes fp32,bf16,bf16+compile --json out.json
  python3 scripts/peer/train_step.py --rows logitnorm-60-plus --batch 128 --modes bf16 --processes 4 --json out.json
"""
import argparse, json, multiprocessing, os, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class SNConv2d(nn.Module):
    """DDU soft spectral normalization on the convolution operator, as Repro.Core/Model/SpectralNormConv2d.cs."""

    def __init__(self, cin, cout, k, stride, padding, in_size, coeff):
        super().__init__()
        self.stride, self.padding, self.coeff, self.as_matrix = stride, padding, coeff, k == 1
        self.weight = nn.Parameter(nn.Conv2d(cin, cout, k, stride, padding, bias=False).weight.detach().clone())
        out_size = (in_size + 2 * padding - k) // stride + 1
        self.out_pad = in_size - ((out_size - 1) * stride - 2 * padding + k)
        u = torch.randn(cout) if self.as_matrix else torch.randn(1, cout, out_size, out_size)
        v = torch.randn(cin * k * k) if self.as_matrix else torch.randn(1, cin, in_size, in_size)
        self.register_buffer("u", u / u.norm())
        self.register_buffer("v", v / v.norm())

    def op(self, x, w):
        return w.reshape(w.shape[0], -1) @ x if self.as_matrix else F.conv2d(x, w, stride=self.stride, padding=self.padding)

    def adjoint(self, y):
        w = self.weight
        if self.as_matrix:
            return w.reshape(w.shape[0], -1).t() @ y
        return F.conv_transpose2d(y, w, stride=self.stride, padding=self.padding, output_padding=self.out_pad)

    def forward(self, x):
        if self.training:
            with torch.no_grad():
                v = self.adjoint(self.u)
                self.v.copy_(v / v.norm().clamp_min(1e-12))
                u = self.op(self.v, self.weight)
                self.u.copy_(u / u.norm().clamp_min(1e-12))
        sigma = (self.u * self.op(self.v, self.weight)).sum()
        return F.conv2d(x, self.weight / (sigma / self.coeff).clamp_min(1.0), stride=self.stride, padding=self.padding)


class AvgPoolShortcut(nn.Module):
    """Repro.Core/Model/AvgPoolShortcut.cs (DDU's -mod shortcut): pool by the stride, append zero channels."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.extra, self.stride = cout - cin, stride

    def forward(self, x):
        x = F.avg_pool2d(x, 1, self.stride) if x.shape[2] % 2 else F.avg_pool2d(x, self.stride, self.stride)
        return F.pad(x, (0, 0, 0, 0, 0, self.extra))


def conv(cfg, cin, cout, k, stride, in_size):
    if cfg["spectralNorm"]:
        return SNConv2d(cin, cout, k, stride, k // 2, in_size, cfg["spectralNormCoefficient"])
    return nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)


class Block(nn.Module):
    def __init__(self, cfg, cin, cout, stride, in_size, act):
        super().__init__()
        self.act = act
        out_size = (in_size + 2 - 3) // stride + 1
        self.conv1, self.bn1 = conv(cfg, cin, cout, 3, stride, in_size), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv(cfg, cout, cout, 3, 1, out_size), nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = (AvgPoolShortcut(cin, cout, stride) if cfg.get("shortcut") == "avgpool"
                             else nn.Sequential(conv(cfg, cin, cout, 1, stride, in_size), nn.BatchNorm2d(cout)))

    def forward(self, x):
        h = self.act(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return self.act(h + (x if self.shortcut is None else self.shortcut(x)))


class ResNet18(nn.Module):
    """Repro.Core/Model/ResNet18.cs: 3x3 stem, no max-pool, 4 stages of 2 blocks (w, 2w, 4w, 8w), GAP, linear."""

    def __init__(self, cfg, channels=3, side=32, classes=10):
        super().__init__()
        w = cfg["width"]
        self.act = (lambda x: F.leaky_relu(x, 0.01)) if cfg["activation"] == "leaky-relu" else F.relu
        self.train_only_l2 = cfg["featureNorm"] == "train-only"
        self.conv1, self.bn1 = conv(cfg, channels, w, 3, 1, side), nn.BatchNorm2d(w)
        blocks, cin, size = [], w, side
        for cout, stride in [(w, 1), (w, 1), (2 * w, 2), (2 * w, 1), (4 * w, 2), (4 * w, 1), (8 * w, 2), (8 * w, 1)]:
            blocks.append(Block(cfg, cin, cout, stride, size, self.act))
            cin, size = cout, (size + 2 - 3) // stride + 1
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(8 * w, classes)

    def forward(self, x):
        z = F.adaptive_avg_pool2d(self.blocks(self.act(self.bn1(self.conv1(x)))), 1).flatten(1)
        if self.train_only_l2 and self.training:
            z = F.normalize(z.float(), dim=1, eps=1e-12)   # the L2 arithmetic in fp32, as Repro does
        return self.fc(z)


def loss_fn(cfg):
    if cfg["loss"] == "logitnorm":
        tau = cfg["logitNormTemperature"]
        return lambda logits, y: F.cross_entropy(logits.float() / ((logits.float().norm(dim=1, keepdim=True) + 1e-7) * tau), y)
    return lambda logits, y: F.cross_entropy(logits.float(), y)


def row_configs(definition_path):
    with open(definition_path) as f:
        d = json.load(f)
    return {r["name"]: {**d["common"], **r["config"]} for r in d["rows"]}


def parse_mode(mode):
    precision, _, compiled = ("bf16+compile" if mode == "compile" else mode).partition("+")
    if precision not in ("fp32", "bf16") or compiled not in ("", "compile", "max-autotune"):
        raise SystemExit(f"--modes: '{mode}' is not PRECISION[+COMPILE] with PRECISION fp32 or bf16 and COMPILE compile or max-autotune")
    if compiled and not hasattr(torch, "compile"):
        raise SystemExit(f"--modes {mode}: torch.compile needs PyTorch 2.0 or later; this is {torch.__version__}")
    return precision, compiled or None


def time_row(name, cfg, batch, mode, steps, warmup, device, barrier=None):
    precision, compiled = parse_mode(mode)
    torch.manual_seed(0)
    model = ResNet18(cfg).to(device)
    bf16 = precision == "bf16"
    if bf16:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=cfg["learningRate"], momentum=cfg["momentum"], weight_decay=cfg["weightDecay"])
    loss = loss_fn(cfg)
    forward = model if compiled is None else torch.compile(model, mode=None if compiled == "compile" else compiled)
    x = torch.randn(batch, 3, 32, 32, device=device)
    if bf16:
        x = x.to(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (batch,), device=device)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
            out = forward(x)
        l = loss(out, y)
        l.backward()
        opt.step()
        return l.item()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    began = time.perf_counter()
    for _ in range(warmup):
        step()
    sync()
    warmup_seconds = time.perf_counter() - began
    if barrier is not None:
        barrier.wait()
    start = time.time()
    for _ in range(steps):
        step()
    sync()
    end = time.time()
    seconds = end - start
    return {"system": f"pytorch-{mode}", "row": name, "batchSize": batch, "steps": steps, "precision": precision,
            "compile": compiled or "none", "processes": 1, "warmupSteps": warmup, "warmupSeconds": warmup_seconds,
            "imagesPerSecond": steps * batch / seconds, "millisecondsPerStep": 1000 * seconds / steps,
            "timedFrom": start, "timedTo": end,
            "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
            "torch": torch.__version__}


def one_copy(job, threads, barrier, results):
    if threads:
        torch.set_num_threads(threads)
    torch.backends.cudnn.benchmark = True
    results.put(time_row(*job, barrier=barrier))


def time_copies(job, processes, threads):
    """N copies of one row's step at once, started together after their warm-ups; img/s over the union of their windows."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    copies = [ctx.Process(target=one_copy, args=(job, threads, barrier, results)) for _ in range(processes)]
    for c in copies:
        c.start()
    timings = [results.get() for _ in copies]
    for c in copies:
        c.join()
        if c.exitcode:
            raise SystemExit(f"a copy of {job[0]} exited with {c.exitcode}")
    first, last = min(t["timedFrom"] for t in timings), max(t["timedTo"] for t in timings)
    images = sum(t["steps"] * t["batchSize"] for t in timings)
    return {**timings[0], "system": f"{timings[0]['system']} ×{processes}", "processes": processes,
            "imagesPerSecond": images / (last - first), "millisecondsPerStep": 1000 * max(t["millisecondsPerStep"] for t in timings),
            "warmupSeconds": max(t["warmupSeconds"] for t in timings), "timedFrom": first, "timedTo": last,
            "perProcessImagesPerSecond": [t["imagesPerSecond"] for t in timings]}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--definition", default=os.path.join(here, "..", "..", "experiments", "table1.json"))
    p.add_argument("--rows", default="l2-60,logitnorm-60")
    p.add_argument("--batch", default="128,1024")
    p.add_argument("--modes", default="fp32,bf16")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, help="intra-op threads on the CPU (default: PyTorch's own; Debian's 1.13 takes 1); per copy with --processes")
    p.add_argument("--processes", default="1", help="copies of the step run at once (comma-separated, e.g. 1,4)")
    p.add_argument("--width", type=int, help="override every row's width (a small network for a dry run on the CPU)")
    p.add_argument("--json")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.backends.cudnn.benchmark = True
    configs, device, results = row_configs(a.definition), torch.device(a.device), []
    for mode in a.modes.split(","):
        parse_mode(mode)
    for mode in a.modes.split(","):
        for name in a.rows.split(","):
            if name not in configs:
                raise SystemExit(f"--rows: no row '{name}' in {a.definition} (rows: {', '.join(configs)})")
            cfg = {**configs[name], **({"width": a.width} if a.width else {})}
            for batch in map(int, a.batch.split(",")):
                for processes in map(int, a.processes.split(",")):
                    job = (name, cfg, batch, mode, a.steps, a.warmup, device)
                    r = time_row(*job) if processes == 1 else time_copies(job, processes, a.threads)
                    results.append(r)
                    print(f"  {r['system']:16} {name:16} batch {batch:5}: {r['imagesPerSecond']:10.0f} img/s  {r['millisecondsPerStep']:8.1f} ms/step"
                          f"  (warm-up {r['warmupSeconds']:.1f} s)", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
