#!/usr/bin/env python3
"""PyTorch reference for bench/train-step.ts: training throughput of two MLPerf Tiny networks.

Measures forward + backward + SGD step, in samples/s, for
  * MLPerf Tiny IC ResNet-8 (Keras reference `ic_resnet8_float.tflite`), batch 128, input 32x32x3;
  * MLPerf Tiny KWS DS-CNN (`kws_dscnn_float32.tflite`), batch 100, input 49x10x1;
with `torch.set_num_threads(T)` set explicitly for T = 1 and 2, both memory formats (NCHW and
channels_last), after a warm-up, as the median of repetitions. Reports the faster memory format.
Prints one JSON object on stdout. Run with Debian's /usr/bin/python3 (PyTorch 1.13 CPU).

Usage: train_step.py [--reps N] [--warmup N] [--threads 1,2]
"""
import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn


class ResBlock(nn.Module):
    """Keras MLPerf ResNet-8 stack: conv3x3(stride) BN ReLU conv3x3 BN (+ 1x1 projection) add ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.b2 = nn.BatchNorm2d(cout)
        self.proj = nn.Conv2d(cin, cout, 1, stride, 0) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        s = self.proj(x) if self.proj is not None else x
        return torch.relu(y + s)


def resnet8():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU(),
        ResBlock(16, 16, 1), ResBlock(16, 32, 2), ResBlock(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
    )


def dscnn():
    layers = [nn.Conv2d(1, 64, (10, 4), 2, (5, 1)), nn.BatchNorm2d(64), nn.ReLU()]
    for _ in range(4):
        layers += [nn.Conv2d(64, 64, 3, 1, 1, groups=64), nn.BatchNorm2d(64), nn.ReLU(),
                   nn.Conv2d(64, 64, 1), nn.BatchNorm2d(64), nn.ReLU()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 12)]
    return nn.Sequential(*layers)


def count_with_bn_stats(model):
    n = sum(p.numel() for p in model.parameters())
    n += sum(b.numel() for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var")))
    return n


def bench(make, batch, shape, classes, threads, memory_format, warmup, reps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = make()
    x = torch.randn(batch, *shape)
    y = torch.randint(0, classes, (batch,))
    if memory_format == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return batch / statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    a = ap.parse_args()
    nets = {
        "resnet8": (resnet8, 128, (3, 32, 32), 10, 78666),
        "dscnn": (dscnn, 100, (1, 49, 10), 12, 24908),
    }
    out = {"torch_version": torch.__version__, "models": {}}
    for name, (make, batch, shape, classes, published) in nets.items():
        params = count_with_bn_stats(make())
        if params != published:
            print(f"{name}: {params} parameters, published {published}", file=sys.stderr)
            sys.exit(2)
        entry = {"batch": batch, "parameters_incl_bn_stats": params, "threads": {}}
        for t in [int(s) for s in a.threads.split(",")]:
            per_fmt = {fmt: bench(make, batch, shape, classes, t, fmt, a.warmup, a.reps)
                       for fmt in ("contiguous", "channels_last")}
            best = max(per_fmt, key=per_fmt.get)
            entry["threads"][str(t)] = {"samples_per_sec": per_fmt[best], "memory_format": best,
                                        "all": per_fmt}
        out["models"][name] = entry
    print(json.dumps(out))


if __name__ == "__main__":
    main()
