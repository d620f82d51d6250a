/**
 * `Module`: the base class of every layer and model, modelled on `torch.nn.Module`.
 *
 * A module owns three ordered registries:
 *   - parameters: trainable tensors (`requiresGrad = true`), e.g. `weight`, `bias`;
 *   - buffers: non-trainable state saved with the model, e.g. BatchNorm running statistics;
 *   - children: sub-modules, e.g. the layers of a `Sequential`.
 * Names are joined with dots into PyTorch-style paths (`layers.0.weight`).
 *
 * Composite modules must read their children from the registry (`this.child(name)`), never from a cached
 * field, so that `setChild` / `replaceModule` (used e.g. by the analog converter `toAnalog(model)`) really
 * swaps a layer. Parameters and buffers keep their identity: `loadStateDict` copies values into the existing
 * tensors, so optimisers holding references stay valid.
 */
import { KirchhoffError, shapeError } from "../core/index.js";
import type { Tensor } from "../tensor/index.js";

/** Anything with float32 data and a shape: a Tensor, or a tensor read from a safetensors file. */
export interface StateTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** A state dict: dotted names to tensors, in registration order. */
export type StateDict = Map<string, StateTensor>;

/** What `loadStateDict` found missing or unexpected (only non-empty when `strict` is false). */
export interface LoadStateResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

function checkName(kind: string, name: string, owner: string): void {
  if (!NAME_RE.test(name)) {
    throw new KirchhoffError(
      "config",
      `${owner}: ${kind} name must match [A-Za-z0-9_]+, got ${JSON.stringify(name)}`,
    );
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

// biome-ignore lint/suspicious/noExplicitAny: modules are heterogeneous; containers hold any module.
export type AnyModule = Module<any, any>;

export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (dropout active, BatchNorm uses batch statistics). */
  training = true;
  private readonly _parameters = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _children = new Map<string, AnyModule>();

  /** Runs the module. */
  abstract forward(...inputs: In): Out;

  /** Short human-readable description with hyper-parameters, e.g. `Linear(784, 10, bias=true)`. */
  describe(): string {
    return this.constructor.name;
  }

  // ---- registration -------------------------------------------------------------------------------

  /** Registers (or replaces) a trainable parameter; sets `requiresGrad = true` and returns it. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    checkName("parameter", name, this.describe());
    if (this._buffers.has(name) || this._children.has(name)) {
      throw new KirchhoffError("config", `${this.describe()}: name "${name}" is already a buffer or child`);
    }
    t.requiresGrad = true;
    this._parameters.set(name, t);
    return t;
  }

  /** Registers (or replaces) a non-trainable buffer that is saved in the state dict. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    checkName("buffer", name, this.describe());
    if (this._parameters.has(name) || this._children.has(name)) {
      throw new KirchhoffError(
        "config",
        `${this.describe()}: name "${name}" is already a parameter or child`,
      );
    }
    t.requiresGrad = false;
    this._buffers.set(name, t);
    return t;
  }

  /** Registers a sub-module under `name` (a plain identifier or an index such as "0"). */
  protected registerModule<M extends AnyModule>(name: string, m: M): M {
    checkName("child", name, this.describe());
    if (this._parameters.has(name) || this._buffers.has(name)) {
      throw new KirchhoffError(
        "config",
        `${this.describe()}: name "${name}" is already a parameter or buffer`,
      );
    }
    this._children.set(name, m);
    return m;
  }

  /** The direct child called `name`; throws when there is none. */
  child<M extends AnyModule = AnyModule>(name: string): M {
    const m = this._children.get(name);
    if (!m) throw new KirchhoffError("config", `${this.describe()}: no child module named "${name}"`);
    return m as M;
  }

  /** The parameter called `name` of this module (not of children). */
  getParameter(name: string): Tensor {
    const p = this._parameters.get(name);
    if (!p) throw new KirchhoffError("config", `${this.describe()}: no parameter named "${name}"`);
    return p;
  }

  /** The buffer called `name` of this module (not of children). */
  getBuffer(name: string): Tensor {
    const b = this._buffers.get(name);
    if (!b) throw new KirchhoffError("config", `${this.describe()}: no buffer named "${name}"`);
    return b;
  }

  /** Replaces the existing direct child `name` by `m` (the converter's hook, e.g. Linear → AnalogLinear). */
  setChild(name: string, m: AnyModule): void {
    if (!this._children.has(name)) {
      throw new KirchhoffError(
        "config",
        `${this.describe()}: cannot replace "${name}": no such child module`,
      );
    }
    this._children.set(name, m);
  }

  /** Replaces the descendant at dotted `path` (e.g. "features.3.conv") by `m`. */
  replaceModule(path: string, m: AnyModule): void {
    const parts = path.split(".");
    const last = parts.pop()!;
    let owner: AnyModule = this;
    for (const p of parts) owner = owner.child(p);
    owner.setChild(last, m);
  }

  // ---- traversal ----------------------------------------------------------------------------------

  /** Direct children in registration order. */
  children(): AnyModule[] {
    return [...this._children.values()];
  }

  /** Direct children with their names. */
  namedChildren(): [string, AnyModule][] {
    return [...this._children.entries()];
  }

  /** This module (name "" or `prefix`) and every descendant, depth-first pre-order, with dotted names. */
  namedModules(prefix = ""): [string, AnyModule][] {
    const out: [string, AnyModule][] = [[prefix, this]];
    for (const [name, m] of this._children) {
      out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  /** This module and every descendant. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter of this module and its descendants with dotted names (`layers.0.weight`). */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m._parameters) {
        if (seen.has(p)) continue; // shared weights are listed once, like PyTorch
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /** Every parameter (each shared tensor once), in a stable order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer of this module and its descendants with dotted names. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Calls `fn` on every module, children first then this one (PyTorch order), and returns this. */
  apply(fn: (m: AnyModule) => void): this {
    for (const c of this._children.values()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Total number of scalar parameters (trainable only when `trainableOnly`). */
  numParameters(trainableOnly = false): number {
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  // ---- modes and gradients ------------------------------------------------------------------------

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (same as `train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes (true) every parameter of this subtree, e.g. to fine-tune only a head. */
  setRequiresGrad(flag: boolean): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  // ---- state dict ---------------------------------------------------------------------------------

  /**
   * Parameters then buffers of each module, depth-first, with dotted names. The tensors are the live ones
   * unless `copy` is true (use a copy to keep a snapshot, e.g. the best checkpoint so far).
   */
  stateDict(opts: { copy?: boolean } = {}): Map<string, StateTensor> {
    const out = new Map<string, StateTensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of [...m._parameters, ...m._buffers]) {
        const key = prefix ? `${prefix}.${name}` : name;
        if (out.has(key)) continue;
        out.set(key, opts.copy ? { data: t.data.slice(), shape: [...t.shape] } : t);
      }
    }
    return out;
  }

  /**
   * Copies values from `dict` into this module's parameters and buffers (in place). Shapes must match
   * exactly. With `strict` (default) missing or unexpected keys are an error naming them; otherwise they
   * are returned. `source` names where the dict came from (e.g. a file path) in error messages.
   */
  loadStateDict(
    dict: Map<string, StateTensor> | Record<string, StateTensor>,
    opts: { strict?: boolean; source?: string } = {},
  ): LoadStateResult {
    const strict = opts.strict ?? true;
    const where = opts.source ? `loadStateDict(${opts.source})` : "loadStateDict";
    const entries = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !own.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      throw new KirchhoffError(
        "config",
        `${where}: state dict does not match the model (${parts.join("; ")})`,
      );
    }
    // Validate every shape before copying anything so that a failed load leaves the model untouched.
    for (const [key, dst] of own) {
      const src = entries.get(key);
      if (!src) continue;
      if (!sameShape(dst.shape, src.shape) || src.data.length !== dst.data.length) {
        throw shapeError(where, `shape of "${key}"`, dst.shape, src.shape);
      }
    }
    for (const [key, dst] of own) {
      const src = entries.get(key);
      if (src) (dst.data as Float32Array).set(src.data);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Multi-line tree of `describe()` strings, for printing a model. */
  toString(): string {
    const lines: string[] = [];
    const walk = (m: AnyModule, name: string, depth: number) => {
      lines.push(`${"  ".repeat(depth)}${name ? `(${name}): ` : ""}${m.describe()}`);
      for (const [n, c] of m.namedChildren()) walk(c, n, depth + 1);
    };
    walk(this, "", 0);
    return lines.join("\n");
  }
}
