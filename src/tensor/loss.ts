/** Losses and metrics: crossEntropy (with label smoothing), mseLoss, accuracy, and the assertFinite guard. */
import { configError, KirchhoffError, shapeError } from "../core/index.js";
import { gradAlloc } from "./grad-pool.js";
import { fromOp, type Tensor } from "./tensor.js";

/** Throws a KirchhoffError("value") naming `what` and the first bad index when x holds NaN or ±Infinity. */
export function assertFinite(x: Tensor, what: string): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      throw new KirchhoffError(
        "value",
        `${what}: non-finite value ${d[i]} at flat index ${i} of shape ${JSON.stringify(x.shape)} (diverged training or bad input?)`,
      );
    }
  }
}

function checkLabels(op: string, labels: Int32Array, n: number, k: number): void {
  if (!(labels instanceof Int32Array))
    throw configError(
      `${op}: labels`,
      "an Int32Array of class indices",
      (labels as unknown as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof labels,
    );
  if (labels.length !== n) throw shapeError(op, "labels length (batch size)", n, labels.length);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l < 0 || l >= k)
      throw new KirchhoffError("data", `${op}: label ${l} at index ${i} out of range [0, ${k})`);
  }
}

export interface CrossEntropyOptions {
  /** PyTorch label smoothing ε: target = (1 − ε)·onehot + ε/K. */
  labelSmoothing?: number;
}

/** Mean softmax cross-entropy of logits [N, K] against class labels; throws on non-finite logits. */
export function crossEntropy(logits: Tensor, labels: Int32Array, opts: CrossEntropyOptions = {}): Tensor {
  if (logits.ndim !== 2) throw shapeError("crossEntropy", "logits rank ([N, K])", 2, logits.shape);
  const [n, k] = logits.shape as [number, number];
  checkLabels("crossEntropy", labels, n, k);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw configError("crossEntropy: labelSmoothing", "a number in [0, 1]", eps);
  if (n === 0) throw shapeError("crossEntropy", "batch size", ">= 1", 0);
  assertFinite(logits, "crossEntropy logits");
  const d = logits.data;
  const probs = new Float32Array(n * k);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const base = r * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, d[base + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(d[base + j]! - m);
    const lse = m + Math.log(s);
    let sumLogP = 0;
    for (let j = 0; j < k; j++) {
      const lp = d[base + j]! - lse;
      probs[base + j] = Math.exp(lp);
      sumLogP += lp;
    }
    const lpTrue = d[base + labels[r]!]! - lse;
    total += -(1 - eps) * lpTrue - (eps / k) * sumLogP;
  }
  const out = new Float32Array([total / n]);
  return fromOp("crossEntropy", out, [], [logits], (g) => {
    // d/dlogits = (softmax − target) / N · g
    const s = g[0]! / n;
    const off = eps / k;
    const gx = gradAlloc(n * k);
    for (let r = 0; r < n; r++) {
      const base = r * k;
      for (let j = 0; j < k; j++) gx[base + j] = (probs[base + j]! - off) * s;
      gx[base + labels[r]!]! -= (1 - eps) * s;
    }
    return [gx];
  });
}

/** Mean squared error between equal-shape tensors; throws on non-finite values like crossEntropy. */
export function mseLoss(a: Tensor, b: Tensor): Tensor {
  if (a.size !== b.size || a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw shapeError("mseLoss", "equal shapes", a.shape, b.shape);
  }
  const n = a.size;
  if (n === 0) throw shapeError("mseLoss", "element count", ">= 1", 0);
  assertFinite(a, "mseLoss input");
  assertFinite(b, "mseLoss target");
  const diff = new Float32Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = a.data[i]! - b.data[i]!;
    diff[i] = v;
    s += v * v;
  }
  return fromOp("mseLoss", new Float32Array([s / n]), [], [a, b], (g) => {
    const f = (2 * g[0]!) / n;
    const ga = a.requiresGrad ? gradAlloc(n) : null;
    const gb = b.requiresGrad ? gradAlloc(n) : null;
    for (let i = 0; i < n; i++) {
      if (ga) ga[i] = diff[i]! * f;
      if (gb) gb[i] = -diff[i]! * f;
    }
    return [ga, gb];
  });
}

/** Fraction of rows of logits [N, K] whose arg-max equals the label (ties: first index). */
export function accuracy(logits: Tensor, labels: Int32Array): number {
  if (logits.ndim !== 2) throw shapeError("accuracy", "logits rank ([N, K])", 2, logits.shape);
  const [n, k] = logits.shape as [number, number];
  checkLabels("accuracy", labels, n, k);
  if (n === 0) return 0;
  let hits = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (logits.data[r * k + j]! > logits.data[r * k + best]!) best = j;
    if (best === labels[r]) hits++;
  }
  return hits / n;
}
