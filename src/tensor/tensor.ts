/**
 * The Tensor class and the autograd tape. A tensor is a contiguous row-major Float32Array plus a shape.
 * Every op result that depends on a tensor requiring grad records a `TapeNode`: its parents and a backward
 * function mapping the output gradient to one gradient per parent (null when that parent needs none).
 * `backward()` sorts the recorded graph topologically from the output and accumulates gradients; leaves
 * (tensors with requiresGrad and no node) keep theirs in `.grad`, intermediate gradients are dropped.
 *
 * Contract for backward functions: they must not modify the gradient they receive (it may be shared by
 * several parents) nor keep it after returning (dead gradient buffers are recycled, see grad-pool.ts), and
 * may return it unchanged for a parent (as add and reshape do).
 */
import { KirchhoffError, shapeError } from "../core/index.js";
import { isGradEnabled } from "./grad-mode.js";
import { keepForever } from "./grad-pool.js";
import { addGrads, GradSlots } from "./grad-slots.js";
import { checkShape, sameShape, shapeSize } from "./shape-utils.js";
import { releaseActivation } from "./uninit.js";

/** Maps the gradient of an op's output to one gradient per parent (same order), null where not needed. */
export type BackwardFn = (gradOut: Float32Array) => (Float32Array | null)[];

/** One recorded op on the tape. */
export interface TapeNode {
  readonly name: string;
  readonly parents: readonly Tensor[];
  readonly backward: BackwardFn;
}

export class Tensor {
  data: Float32Array;
  shape: readonly number[];
  requiresGrad: boolean;
  /** Accumulated gradient (leaves only); accumulates across backward() calls until zeroGrad(). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for leaves and results computed without grad. */
  node: TapeNode | null = null;

  constructor(data: Float32Array, shape: readonly number[], requiresGrad = false) {
    checkShape("tensor", shape);
    const size = shapeSize(shape);
    if (data.length !== size)
      throw shapeError("tensor", `data length for shape ${JSON.stringify(shape)}`, size, data.length);
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Row-major strides in elements. */
  get strides(): number[] {
    const s = new Array<number>(this.shape.length);
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= this.shape[i]!;
    }
    return s;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw shapeError("item", "element count", 1, this.data.length);
    return this.data[0]!;
  }

  toArray(): number[] {
    return Array.from(this.data);
  }

  /** A new tensor sharing this tensor's data, cut off from the tape. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A copy of the data as a new leaf tensor (no tape, requiresGrad false). */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Back-propagates from this tensor. `grad` defaults to 1 for one-element tensors and must have this
   * tensor's shape otherwise. Gradients are added to `.grad` of every leaf that requires grad. The graph's
   * saved values are released as backward proceeds (lower peak memory); pass `{ retainGraph: true }` to
   * back-propagate through the same graph again later.
   *
   * `{ releaseActivations: true }` (training loops): afterwards the storage of every intermediate tensor of
   * the graph (not this root, not leaves) that came from `allocActivation` is recycled for the next
   * step's outputs, and those tensors become empty (`data.length === 0`). Read what you need from them
   * (logits for accuracy, ...) before calling backward. Ignored with `retainGraph`.
   */
  backward(grad?: Tensor, opts: { retainGraph?: boolean; releaseActivations?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new KirchhoffError(
        "value",
        "backward: this tensor does not require grad (computed under noGrad, or from inputs without requiresGrad)",
      );
    }
    let seed: Float32Array;
    if (grad === undefined) {
      if (this.size !== 1)
        throw shapeError("backward", "implicit gradient needs a one-element tensor; size", 1, this.size);
      seed = new Float32Array([1]);
    } else {
      if (!sameShape(grad.shape, this.shape))
        throw shapeError("backward", "gradient shape", this.shape, grad.shape);
      seed = grad.data;
    }
    const retain = opts.retainGraph === true;
    const order = runBackward(this, seed, retain);
    if (opts.releaseActivations === true && !retain) {
      const released = new Set<Float32Array>(); // views share storage: empty every alias
      for (const t of order) {
        if (t === this || t.node === null || t.data === this.data) continue;
        if (released.has(t.data) || releaseActivation(t.data)) {
          released.add(t.data);
          t.data = RELEASED;
        }
      }
    }
  }
}

/** Replaces a node whose saved values were released; running it again is a clear error. */
function freedNode(name: string): TapeNode {
  return {
    name,
    parents: [],
    backward: () => {
      throw new KirchhoffError(
        "value",
        `backward: the graph through "${name}" was already back-propagated and freed; pass { retainGraph: true } to the first backward()`,
      );
    },
  };
}

/** Topological order (parents before children) of the nodes reachable from `root` that require grad. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const parents = t.node?.parents ?? [];
    if (i < parents.length) {
      top[1] = i + 1;
      const p = parents[i]!;
      if (p.requiresGrad && !visited.has(p)) {
        visited.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** Storage of a tensor whose activation buffer was recycled by backward({ releaseActivations: true }). */
const RELEASED = new Float32Array(0);

/** Runs the backward pass; returns the graph's tensors in topological order. */
function runBackward(root: Tensor, seed: Float32Array, retainGraph: boolean): Tensor[] {
  const order = topoOrder(root);
  const slots = new GradSlots();
  slots.seed(root, seed);
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const slot = slots.take(t);
    if (slot === undefined) continue;
    const node = t.node;
    if (node === null) {
      // A leaf: add into .grad (owned storage so later accumulation never writes into shared arrays).
      if (t.grad === null) {
        const own = slot.owned;
        t.grad = new Tensor(own ? slot.buf : slot.buf.slice(), t.shape);
        if (own) keepForever(slot.buf);
      } else {
        addGrads(t.grad.data, t.grad.data, slot.buf);
      }
      slots.unref(slot.buf);
      continue;
    }
    const grads = node.backward(slot.buf);
    if (!retainGraph) t.node = freedNode(node.name);
    for (let i = 0; i < node.parents.length; i++) {
      const g = grads[i];
      if (g && node.parents[i]!.requiresGrad) slots.add(node.parents[i]!, g);
    }
    // Only after every parent got its share: one array may be returned for several parents.
    for (const g of grads) if (g) slots.discard(g);
    slots.unref(slot.buf);
  }
  return order;
}

/**
 * Wraps an op result: records a tape node when grad mode is on and some parent requires grad.
 * `backward` is only called for results that require grad.
 */
export function fromOp(
  name: string,
  data: Float32Array,
  shape: readonly number[],
  parents: readonly Tensor[],
  backward: BackwardFn,
): Tensor {
  const out = new Tensor(data, shape, false);
  if (isGradEnabled()) {
    for (const p of parents) {
      if (p.requiresGrad) {
        out.requiresGrad = true;
        out.node = { name, parents, backward };
        break;
      }
    }
  }
  return out;
}
