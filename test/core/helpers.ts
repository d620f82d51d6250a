/** Small shared imports for the core tests. */
import { availableBackends, type Conv2dParams, type KernelBackend } from "../../src/core/index.js";

export { type Activation, Rng } from "../../src/core/index.js";

/** The TypeScript reference backend (always the first available backend). */
export function jsBackendForTests(): KernelBackend {
  const js = availableBackends().find((b) => b.name === "js");
  if (!js) throw new Error("js backend missing");
  return js;
}

/** Conv geometry for the kernel tests: pad = [top, bottom, left, right]; output size as PyTorch computes it. */
export function conv(
  n: number,
  inH: number,
  inW: number,
  inC: number,
  outC: number,
  k: [number, number],
  opts: {
    stride?: [number, number];
    pad?: [number, number, number, number];
    dil?: [number, number];
    groups?: number;
  },
): Conv2dParams {
  const [sH, sW] = opts.stride ?? [1, 1];
  const [pt, pb, pl, pr] = opts.pad ?? [0, 0, 0, 0];
  const [dH, dW] = opts.dil ?? [1, 1];
  const outH = Math.floor((inH + pt + pb - dH * (k[0] - 1) - 1) / sH) + 1;
  const outW = Math.floor((inW + pl + pr - dW * (k[1] - 1) - 1) / sW) + 1;
  return {
    n,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kH: k[0],
    kW: k[1],
    strideH: sH,
    strideW: sW,
    padTop: pt,
    padLeft: pl,
    dilationH: dH,
    dilationW: dW,
    groups: opts.groups ?? 1,
  };
}
