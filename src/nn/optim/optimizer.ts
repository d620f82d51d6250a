/**
 * Optimiser base class with PyTorch-style parameter groups and a checkpointable state.
 *
 *   const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 *   const opt2 = new AdamW([{ params: backbone, lr: 1e-4 }, { params: head }], { lr: 1e-3 });
 *   loss.backward(); opt.step(); opt.zeroGrad();
 *
 * Each group carries every hyper-parameter (group values override the defaults). Per-parameter state
 * (step count and buffers such as momentum) is created lazily on the first step that sees a gradient.
 * Updates are computed element-wise in float64 from float32 storage, matching PyTorch to float32 rounding.
 */
import { configError, KirchhoffError } from "../../core/index.js";
import type { Tensor } from "../../tensor/index.js";

/** Hyper-parameters every optimiser has. */
export interface BaseHyper {
  /** Learning rate. */
  lr: number;
}

/** A parameter group: its tensors plus its hyper-parameters. */
export type ParamGroup<H extends BaseHyper> = H & { params: Tensor[] };

/** What the constructor accepts: plain parameters, or groups with optional per-group overrides. */
export type ParamsInput<H extends BaseHyper> =
  | readonly Tensor[]
  | readonly ({ params: readonly Tensor[] } & Partial<H>)[];

/** Per-parameter state: completed update steps and named float32 buffers (same size as the parameter). */
export interface ParamState {
  step: number;
  buffers: Record<string, Float32Array>;
}

/** Serializable optimiser state; `state[i]` belongs to the i-th parameter in group order. */
export interface OptimizerState {
  kind: string;
  groups: (Record<string, number | boolean> & { numParams: number })[];
  state: (ParamState | null)[];
}

function isGroupList<H extends BaseHyper>(
  p: ParamsInput<H>,
): p is readonly ({ params: readonly Tensor[] } & Partial<H>)[] {
  return p.length > 0 && !("data" in (p[0] as object));
}

export abstract class Optimizer<H extends BaseHyper> {
  readonly paramGroups: ParamGroup<H>[];
  protected readonly state = new Map<Tensor, ParamState>();
  /** Name written into the state dict, checked on load. */
  abstract readonly kind: string;

  constructor(params: ParamsInput<H>, defaults: H) {
    const groups = isGroupList(params) ? params : [{ params: params as readonly Tensor[] }];
    if (groups.length === 0 || groups.every((g) => g.params.length === 0)) {
      throw new KirchhoffError("config", `${new.target.name}: got an empty parameter list`);
    }
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g) => {
      for (const p of g.params) {
        if (seen.has(p))
          throw new KirchhoffError(
            "config",
            `${new.target.name}: a parameter appears in more than one group`,
          );
        seen.add(p);
      }
      const { params, ...overrides } = g;
      return { ...defaults, ...overrides, params: [...params] } as ParamGroup<H>;
    });
    // Validation runs in the subclass constructor via validateGroup (fields are set by then).
  }

  /** Checks one group's hyper-parameters; called by subclasses after construction. */
  protected abstract validateGroup(g: H, index: number): void;

  /** Updates one parameter from its gradient. */
  protected abstract updateParam(
    p: Tensor,
    grad: Float32Array,
    group: ParamGroup<H>,
    state: ParamState,
  ): void;

  protected validateAll(): void {
    this.paramGroups.forEach((g, i) => {
      if (!(Number.isFinite(g.lr) && g.lr >= 0))
        throw configError(`${this.kind} group ${i} lr`, ">= 0", g.lr);
      this.validateGroup(g, i);
    });
  }

  /** Every parameter, in group order. */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        let st = this.state.get(p);
        if (!st) {
          st = { step: 0, buffers: {} };
          this.state.set(p, st);
        }
        st.step += 1;
        this.updateParam(p, p.grad.data, group, st);
      }
    }
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params()) p.grad = null;
  }

  /** The first group's learning rate. */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** Sets the learning rate of every group. */
  setLr(lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) throw configError(`${this.kind} lr`, ">= 0", lr);
    for (const g of this.paramGroups) g.lr = lr;
  }

  /** Snapshot (copies) of hyper-parameters and per-parameter state, for checkpoints. */
  stateDict(): OptimizerState {
    return {
      kind: this.kind,
      groups: this.paramGroups.map(({ params, ...h }) => ({
        ...(h as unknown as Record<string, number | boolean>),
        numParams: params.length,
      })),
      state: this.params().map((p) => {
        const s = this.state.get(p);
        if (!s) return null;
        const buffers: Record<string, Float32Array> = {};
        for (const [k, v] of Object.entries(s.buffers)) buffers[k] = v.slice();
        return { step: s.step, buffers };
      }),
    };
  }

  /** Restores a snapshot made by `stateDict()` of an optimiser of the same kind over the same parameters. */
  loadStateDict(sd: OptimizerState, source = "optimizer state"): void {
    if (sd.kind !== this.kind) throw configError(`${source}: kind`, this.kind, sd.kind);
    if (sd.groups.length !== this.paramGroups.length) {
      throw configError(
        `${source}: number of parameter groups`,
        String(this.paramGroups.length),
        sd.groups.length,
      );
    }
    sd.groups.forEach((g, i) => {
      const n = this.paramGroups[i]!.params.length;
      if (g.numParams !== n)
        throw configError(`${source}: group ${i} parameter count`, String(n), g.numParams);
    });
    const params = this.params();
    if (sd.state.length !== params.length)
      throw configError(`${source}: state entries`, String(params.length), sd.state.length);
    sd.state.forEach((s, i) => {
      if (!s) return;
      for (const [k, v] of Object.entries(s.buffers)) {
        if (v.length !== params[i]!.size) {
          throw configError(`${source}: state[${i}].${k} length`, String(params[i]!.size), v.length);
        }
      }
    });
    sd.groups.forEach((g, i) => {
      const { numParams: _n, ...h } = g;
      Object.assign(this.paramGroups[i]!, h);
    });
    this.validateAll();
    this.state.clear();
    sd.state.forEach((s, i) => {
      if (!s) return;
      const buffers: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(s.buffers)) buffers[k] = Float32Array.from(v);
      this.state.set(params[i]!, { step: s.step, buffers });
    });
  }
}

/** The named buffer of `state`, created as zeros (or a copy of `init`) on first use. */
export function stateBuffer(
  state: ParamState,
  name: string,
  size: number,
  init?: Float32Array,
): Float32Array {
  let b = state.buffers[name];
  if (!b) {
    b = init ? Float32Array.from(init) : new Float32Array(size);
    state.buffers[name] = b;
  }
  return b;
}
