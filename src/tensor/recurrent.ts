/**
 * LSTM and GRU cells composed of differentiable primitives, with PyTorch's gate order and weight layout
 * (torch.nn.LSTMCell / GRUCell): wIh [G·H, I], wHh [G·H, H], biases [G·H].
 */
import { shapeError } from "../core/index.js";
import { sigmoid, tanh } from "./activations.js";
import { add, mul, sub } from "./binary.js";
import { linear } from "./matmul.js";
import { slice } from "./shape-ops.js";
import type { Tensor } from "./tensor.js";

function checkCell(op: string, gates: number, x: Tensor, h: Tensor, wIh: Tensor, wHh: Tensor): number {
  if (h.ndim !== 2) throw shapeError(op, "hidden state rank ([N, H])", 2, h.shape);
  const hidden = h.shape[1]!;
  if (x.ndim !== 2 || x.shape[0] !== h.shape[0])
    throw shapeError(op, "input shape ([N, I] with N of h)", [h.shape[0], "I"], x.shape);
  if (wIh.ndim !== 2 || wIh.shape[0] !== gates * hidden || wIh.shape[1] !== x.shape[1]) {
    throw shapeError(op, "wIh shape", [gates * hidden, x.shape[1]], wIh.shape);
  }
  if (wHh.ndim !== 2 || wHh.shape[0] !== gates * hidden || wHh.shape[1] !== hidden) {
    throw shapeError(op, "wHh shape", [gates * hidden, hidden], wHh.shape);
  }
  return hidden;
}

/** One LSTM step: gates i, f, g, o; c' = f·c + i·g; h' = o·tanh(c'). */
export function lstmCell(
  x: Tensor,
  h: Tensor,
  c: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh?: Tensor | null,
  bHh?: Tensor | null,
): { h: Tensor; c: Tensor } {
  const hid = checkCell("lstmCell", 4, x, h, wIh, wHh);
  if (c.ndim !== 2 || c.shape[0] !== h.shape[0] || c.shape[1] !== hid)
    throw shapeError("lstmCell", "cell state shape", h.shape, c.shape);
  return lstmUpdate(linear(x, wIh, bIh), linear(h, wHh, bHh), c);
}

/**
 * The LSTM step from its two matrix products gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh (`[N, 4H]`), for
 * callers that compute them otherwise (hardware-aware training runs them through simulated tiles).
 */
export function lstmUpdate(gi: Tensor, gh: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  const hid = c.shape[1]!;
  const gates = add(gi, gh);
  const i = sigmoid(slice(gates, 1, 0, hid));
  const f = sigmoid(slice(gates, 1, hid, 2 * hid));
  const g = tanh(slice(gates, 1, 2 * hid, 3 * hid));
  const o = sigmoid(slice(gates, 1, 3 * hid, 4 * hid));
  const c2 = add(mul(f, c), mul(i, g));
  return { h: mul(o, tanh(c2)), c: c2 };
}

/** One GRU step: r = σ(·), z = σ(·), n = tanh(W_in x + b_in + r·(W_hn h + b_hn)); h' = (1 − z)·n + z·h. */
export function gruCell(
  x: Tensor,
  h: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh?: Tensor | null,
  bHh?: Tensor | null,
): Tensor {
  checkCell("gruCell", 3, x, h, wIh, wHh);
  return gruUpdate(linear(x, wIh, bIh), linear(h, wHh, bHh), h);
}

/** The GRU step from its two matrix products gi and gh (`[N, 3H]`), as lstmUpdate. */
export function gruUpdate(gi: Tensor, gh: Tensor, h: Tensor): Tensor {
  const hid = h.shape[1]!;
  const r = sigmoid(add(slice(gi, 1, 0, hid), slice(gh, 1, 0, hid)));
  const z = sigmoid(add(slice(gi, 1, hid, 2 * hid), slice(gh, 1, hid, 2 * hid)));
  const n = tanh(add(slice(gi, 1, 2 * hid, 3 * hid), mul(r, slice(gh, 1, 2 * hid, 3 * hid))));
  // (1 − z)·n + z·h = n + z·(h − n)
  return add(n, mul(z, sub(h, n)));
}
