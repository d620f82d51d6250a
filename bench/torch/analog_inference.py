#!/usr/bin/env python3
"""PyTorch reference for bench/analog-inference.ts: eval throughput of a CIFAR ResNet-32 and the KWS DS-CNN,
digital and with the analog tile forward written in plain PyTorch ops, as a Python simulator does it.

The analog emulation follows aihwkit 1.1.0's inference forward (../shared/reference/analog/SPEC.md) for the
HERMES-like preset, with the same tiling as Kirchhoff (inputs split into near-equal tiles of at most 256 rows):
per input vector and tile, noise management (abs-max), the DAC (round half to even, then clip to +-1), the MVM,
output noise (one normal per output), the ADC (round half to even, clip), the bound-management test, the
scale back (outScale / DAC scale, per-column factor) and the digital sum over tiles; conv layers unfold their
patches in aihwkit's (c, ki, kj) order, depthwise layers run one 9-input vector per channel. Bound management
never retries in these models (checked by Kirchhoff), so only its test is timed. The MVM runs as a 1x1
convolution in oneDNN (this PyTorch build's BLAS is the generic reference one). Weights are random: the timing
does not depend on their values. This is the shape of aihwkit's pure-PyTorch inference tile, not a measurement
of aihwkit itself (which cannot be installed here).

Measures the median wall time of a forward of one batch, after a warm-up, at the given thread count, with
NCHW and channels_last for the digital models (the faster one is reported). Prints one JSON object on stdout.
Run with Debian's /usr/bin/python3 (PyTorch 1.13 CPU).

Usage: analog_inference.py [--batch 32] [--threads 2] [--reps 10] [--warmup 2]
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

INP_STEP, INP_BOUND = 2.0 / 254, 1.0  # HERMES preset: 8-bit DAC over +-1
OUT_STEP, OUT_BOUND = 2.0 * 12 / 254, 12.0  # 8-bit ADC over +-12
OUT_NOISE = 0.06
MAX_TILE = 256


def tile_splits(n):
    """Near-equal pieces of at most MAX_TILE (Kirchhoff's and aihwkit's split)."""
    pieces = -(-n // MAX_TILE)
    base, extra = divmod(n, pieces)
    sizes = [base + (1 if i < extra else 0) for i in range(pieces)]
    bounds, k = [], 0
    for s in sizes:
        bounds.append((k, k + s))
        k += s
    return bounds


def dac(x):
    """Noise management (abs-max per vector, last dim) and the DAC; returns the levels and the scale."""
    m = x.abs().amax(dim=-1, keepdim=True)
    s = torch.where(m > 0, 1.0 / m, torch.ones_like(m))
    return (x * (s / INP_STEP)).round_().mul_(INP_STEP).clamp_(-INP_BOUND, INP_BOUND), s


def adc(u):
    """Output noise, the ADC and bound management's clip test (no retries happen in these models)."""
    u.add_(torch.randn_like(u).mul_(OUT_NOISE))
    u.div_(OUT_STEP).round_().mul_(OUT_STEP).clamp_(-OUT_BOUND, OUT_BOUND)
    _ = bool((u.abs() >= OUT_BOUND).any())
    return u


def mvm(v, w):
    """v[R, K] @ w[M, K]^T as a 1x1 convolution, so that it runs in oneDNN: this PyTorch build's BLAS
    (BLAS_INFO=generic) is the reference one, 10-20x slower for these shapes."""
    r, k = v.shape
    y = F.conv2d(v.reshape(1, r, 1, k).permute(0, 3, 1, 2), w.reshape(w.shape[0], k, 1, 1))
    return y.permute(0, 2, 3, 1).reshape(r, -1)


class AnalogLinearRows(nn.Module):
    """y[R, M] = sum over input tiles of (ADC(DAC(x_t) W_t^T) / s_t) * post_t, + bias."""

    def __init__(self, k, m, bias=True):
        super().__init__()
        self.tiles = [(a, b) for a, b in tile_splits(k)]
        self.w = nn.ParameterList([nn.Parameter(torch.randn(m, b - a) / (b - a) ** 0.5) for a, b in self.tiles])
        self.post = nn.ParameterList([nn.Parameter(torch.rand(m) + 0.5) for _ in self.tiles])
        self.bias = nn.Parameter(torch.zeros(m)) if bias else None

    def forward(self, x):
        y = None
        for (a, b), w, post in zip(self.tiles, self.w, self.post):
            v, s = dac(x[:, a:b])
            u = adc(mvm(v, w)).div_(s).mul_(post)
            y = u if y is None else y.add_(u)
        return y if self.bias is None else y + self.bias


class AnalogConv(nn.Module):
    def __init__(self, cin, cout, k, stride=1, padding=0, bias=True):
        super().__init__()
        self.k, self.stride, self.padding, self.cout = k, stride, padding, cout
        kh, kw = k
        self.mvm = AnalogLinearRows(cin * kh * kw, cout, bias)

    def forward(self, x):
        n, _, h, w = x.shape
        kh, kw = self.k
        (ph0, ph1), (pw0, pw1) = self.padding
        x = F.pad(x, (pw0, pw1, ph0, ph1))
        oh = (h + ph0 + ph1 - kh) // self.stride + 1
        ow = (w + pw0 + pw1 - kw) // self.stride + 1
        cols = F.unfold(x, self.k, stride=self.stride)  # [N, C*kh*kw, L], (c, ki, kj) order
        y = self.mvm(cols.transpose(1, 2).reshape(n * oh * ow, -1))
        return y.reshape(n, oh * ow, self.cout).transpose(1, 2).reshape(n, self.cout, oh, ow)


class AnalogDepthwise(nn.Module):
    """Depthwise 3x3: one 9-input vector (a single-output tile) per channel and pixel."""

    def __init__(self, c):
        super().__init__()
        self.w = nn.Parameter(torch.randn(c, 9) / 3)
        self.post = nn.Parameter(torch.rand(c) + 0.5)
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        n, c, h, w = x.shape
        cols = F.unfold(x, 3, padding=1).reshape(n, c, 9, h * w).transpose(2, 3)  # [N, C, L, 9]
        v, s = dac(cols)
        u = adc((v * self.w[None, :, None, :]).sum(-1, keepdim=True)) / s
        y = u.squeeze(-1) * self.post[None, :, None] + self.bias[None, :, None]
        return y.reshape(n, c, h, w)


def same_padding(k, stride, size):
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + k - size)
    return (total // 2, total - total // 2)


class ConvBn(nn.Module):
    def __init__(self, conv, c):
        super().__init__()
        self.conv, self.bn = conv, nn.BatchNorm2d(c)

    def forward(self, x, residual=None):
        y = self.bn(self.conv(x))
        return torch.relu(y if residual is None else y + residual)


def conv(analog, cin, cout, k, stride, padding, bias):
    if analog:
        return AnalogConv(cin, cout, k, stride, padding, bias)
    (ph0, ph1), (pw0, pw1) = padding
    if ph0 == ph1 and pw0 == pw1:
        return nn.Conv2d(cin, cout, k, stride, (ph0, pw0), bias=bias)
    return nn.Sequential(nn.ZeroPad2d((pw0, pw1, ph0, ph1)), nn.Conv2d(cin, cout, k, stride, bias=bias))


class Block(nn.Module):
    """CIFAR basic block with the option-A shortcut (subsample, zero-pad channels)."""

    def __init__(self, analog, cin, cout, stride):
        super().__init__()
        p = ((1, 1), (1, 1))
        self.c1 = ConvBn(conv(analog, cin, cout, (3, 3), stride, p, False), cout)
        self.c2 = ConvBn(conv(analog, cout, cout, (3, 3), 1, p, False), cout)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        s = x[:, :, :: self.stride, :: self.stride] if self.stride > 1 else x
        if self.extra:
            s = F.pad(s, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return self.c2(self.c1(x), s)


class ResNet32(nn.Module):
    def __init__(self, analog):
        super().__init__()
        p = ((1, 1), (1, 1))
        layers, cin = [ConvBn(conv(analog, 3, 16, (3, 3), 1, p, False), 16)], 16
        for c, s in ((16, 1), (32, 2), (64, 2)):
            for i in range(5):
                layers.append(Block(analog, cin, c, s if i == 0 else 1))
                cin = c
        self.body = nn.Sequential(*layers)
        self.fc = AnalogLinearRows(64, 10) if analog else nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


class DsCnn(nn.Module):
    def __init__(self, analog):
        super().__init__()
        stem_pad = (same_padding(10, 2, 49), same_padding(4, 2, 10))
        layers = [ConvBn(conv(analog, 1, 64, (10, 4), 2, stem_pad, True), 64)]
        for _ in range(4):
            dw = AnalogDepthwise(64) if analog else nn.Conv2d(64, 64, 3, 1, 1, groups=64)
            layers += [ConvBn(dw, 64), ConvBn(conv(analog, 64, 64, (1, 1), 1, ((0, 0), (0, 0)), True), 64)]
        self.body = nn.Sequential(*layers)
        self.fc = AnalogLinearRows(64, 12) if analog else nn.Linear(64, 12)

    def forward(self, x):
        return self.fc(self.body(x).mean((2, 3)))


def time_forward(model, x, reps, warmup):
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    out = {"torch_version": torch.__version__, "threads": a.threads, "batch": a.batch, "models": {}}
    for key, cls, shape in (("resnet32", ResNet32, (a.batch, 3, 32, 32)), ("dscnn", DsCnn, (a.batch, 1, 49, 10))):
        x = torch.randn(*shape)
        digital = {}
        for fmt in ("contiguous", "channels_last"):
            m = cls(False).eval()
            xi = x
            if fmt == "channels_last":
                m, xi = m.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
            digital[fmt] = time_forward(m, xi, a.reps, a.warmup)
        fmt = min(digital, key=digital.get)
        analog = time_forward(cls(True).eval(), x, a.reps, a.warmup)
        out["models"][key] = {"digital_ms": digital[fmt] * 1e3, "digital_memory_format": fmt, "analog_ms": analog * 1e3}
        print(f"{key}: digital {digital[fmt] * 1e3:.1f} ms ({fmt}), analog {analog * 1e3:.1f} ms", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
