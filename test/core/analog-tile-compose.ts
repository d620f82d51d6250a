/**
 * The unfused composition of analogTileForward's contract (gather, analogInputPeriphery, one sgemm per tile,
 * analogOutputPeriphery with the same noise stream, then the finishing step), by a backend's own stage
 * kernels: the reference the fused kernel must equal bit for bit on the same backend.
 */
import type { AnalogTileArgs, AnalogTileParams, KernelBackend } from "../../src/core/index.js";

const f = Math.fround;

export function composed(be: KernelBackend, a: AnalogTileArgs, p: AnalogTileParams) {
  const { rows, groups: G, k: K, m: M } = a;
  const units = rows * G;
  const xs = new Float32Array(units * K);
  for (let u = 0; u < units; u++) {
    const s = a.xOffset + Math.floor(u / G) * a.ldx + (u % G) * K;
    xs.set(a.x.subarray(s, s + K), u * K);
  }
  const nm = Float64Array.from(a.nm);
  const v = new Float32Array(units * K);
  const scales = new Float32Array(units);
  be.analogInputPeriphery(xs, units, K, p.input, nm, null, v, scales);
  const yy = new Float32Array(units * M);
  for (let g = 0; g < G; g++)
    be.sgemm(false, true, rows, M, K, 1, v, G * K, a.w, K, 0, yy, G * M, g * K, g * M * K, g * M);
  const failed = new Uint8Array(units);
  be.analogOutputPeriphery(yy, units, M, p.output, a.noise, failed);
  const y = Float32Array.from(a.y);
  const retry = new Uint8Array(units);
  for (let u = 0; u < units; u++) {
    const s = scales[u]!;
    if (s !== 0 && p.retryClipped && failed[u]) {
      retry[u] = 1;
      continue;
    }
    const fr = s === 0 ? 0 : f(p.outScale / s);
    const g = u % G;
    const o = a.yOffset + Math.floor(u / G) * a.ldy + g * M;
    for (let i = 0; i < M; i++) {
      const j = g * M + i;
      const t = f(yy[u * M + i]! * fr);
      // post and bias: a rounded product, then a rounded sum (float32, as aihwkit)
      const tp = a.post ? f(t * a.post[j]!) : t;
      const val = a.bias ? f(tp + a.bias[j]!) : tp;
      let out = a.accumulate ? f(y[o + i]! + val) : val;
      if (a.biasAfter) out = f(out + a.biasAfter[j]!);
      y[o + i] = out;
    }
  }
  return { y, retry, nm };
}
