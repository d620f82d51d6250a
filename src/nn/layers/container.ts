/**
 * Composition modules: `Sequential` (a chain), `Residual` (`act(body(x) + shortcut(x))`) and `Add`.
 * They read their children from the module registry, so `setChild` / `replaceModule` swap layers for real.
 */
import { configError } from "../../core/index.js";
import { add, relu, relu6, type Tensor } from "../../tensor/index.js";
import { type AnyModule, Module } from "../module.js";
import { Identity } from "./activation.js";

/** A single-input single-output module, the kind a Sequential chains. */
export type TensorModule = Module<[Tensor], Tensor>;

/** Runs its children in order; children are named "0", "1", … (or by `Sequential.named`). */
export class Sequential extends Module {
  constructor(layers: readonly AnyModule[] = []) {
    super();
    for (const m of layers) this.append(m);
  }

  /** A Sequential with explicit child names, e.g. `Sequential.named({ conv, bn, relu })`. */
  static named(layers: Record<string, AnyModule>): Sequential {
    const s = new Sequential();
    for (const [name, m] of Object.entries(layers)) s.registerModule(name, m);
    return s;
  }

  /** Appends a layer named by its index. */
  append(m: AnyModule): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  get length(): number {
    return this.children().length;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): AnyModule {
    const cs = this.children();
    const m = cs[i < 0 ? cs.length + i : i];
    if (!m) throw configError("Sequential.at(i)", `an index in [-${cs.length}, ${cs.length})`, i);
    return m;
  }

  forward(x: Tensor): Tensor {
    for (const m of this.children()) x = (m as TensorModule).forward(x);
    return x;
  }
}

/** Activation applied after a residual sum. */
export type ResidualActivation = "none" | "relu" | "relu6";

function activate(x: Tensor, act: ResidualActivation): Tensor {
  return act === "relu" ? relu(x) : act === "relu6" ? relu6(x) : x;
}

/**
 * `act(body(x) + shortcut(x))`; the shortcut defaults to the identity (a ResNet basic block with
 * `shortcut` = 1×1 conv + BN when shapes change). Children: "body" and "shortcut".
 */
export class Residual extends Module {
  readonly act: ResidualActivation;
  constructor(body: TensorModule, shortcut: TensorModule = new Identity(), act: ResidualActivation = "none") {
    super();
    if (!["none", "relu", "relu6"].includes(act)) throw configError("Residual.act", "none|relu|relu6", act);
    this.act = act;
    this.registerModule("body", body);
    this.registerModule("shortcut", shortcut);
  }
  forward(x: Tensor): Tensor {
    const y = this.child<TensorModule>("body").forward(x);
    const s = this.child<TensorModule>("shortcut").forward(x);
    return activate(add(y, s), this.act);
  }
  override describe(): string {
    return `Residual(act=${this.act})`;
  }
}

/** Element-wise sum of two tensors (with broadcasting), as a module so converters can see it. */
export class Add extends Module<[Tensor, Tensor], Tensor> {
  forward(a: Tensor, b: Tensor): Tensor {
    return add(a, b);
  }
}
