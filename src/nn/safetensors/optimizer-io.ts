/**
 * Optimiser checkpoints as safetensors: every state buffer becomes a tensor named
 * `optim.state.<paramIndex>.<buffer>` and the rest (kind, group hyper-parameters, per-parameter step
 * counts) is JSON in the metadata key `kirchhoff.optimizer`. The same tensors/metadata can be merged into a
 * model checkpoint file (names do not collide with module state dicts, which never start with "optim.").
 */
import { KirchhoffError } from "../../core/index.js";
import type { StateTensor } from "../module.js";
import type { BaseHyper, Optimizer, OptimizerState, ParamState } from "../optim/optimizer.js";
import { loadSafetensors, saveSafetensors } from "./file.js";

export const OPTIMIZER_METADATA_KEY = "kirchhoff.optimizer";
const PREFIX = "optim.state.";

/** Splits an optimiser state into safetensors tensors and one metadata entry. */
export function optimizerStateToSafetensors(sd: OptimizerState): {
  tensors: Map<string, StateTensor>;
  metadata: Record<string, string>;
} {
  const tensors = new Map<string, StateTensor>();
  const steps = sd.state.map((s, i) => {
    if (!s) return null;
    for (const [name, buf] of Object.entries(s.buffers))
      tensors.set(`${PREFIX}${i}.${name}`, { data: buf, shape: [buf.length] });
    return s.step;
  });
  const meta = { kind: sd.kind, groups: sd.groups, steps };
  return { tensors, metadata: { [OPTIMIZER_METADATA_KEY]: JSON.stringify(meta) } };
}

/** Inverse of `optimizerStateToSafetensors`; tensors not starting with "optim.state." are ignored. */
export function optimizerStateFromSafetensors(
  tensors: Map<string, StateTensor>,
  metadata: Record<string, string>,
  source = "optimizer checkpoint",
): OptimizerState {
  const raw = metadata[OPTIMIZER_METADATA_KEY];
  if (raw === undefined)
    throw new KirchhoffError(
      "io",
      `${source}: no "${OPTIMIZER_METADATA_KEY}" metadata (not an optimizer checkpoint)`,
    );
  let meta: { kind: string; groups: OptimizerState["groups"]; steps: (number | null)[] };
  try {
    meta = JSON.parse(raw);
  } catch (e) {
    throw new KirchhoffError("io", `${source}: bad ${OPTIMIZER_METADATA_KEY} JSON: ${(e as Error).message}`);
  }
  if (typeof meta?.kind !== "string" || !Array.isArray(meta.groups) || !Array.isArray(meta.steps)) {
    throw new KirchhoffError("io", `${source}: ${OPTIMIZER_METADATA_KEY} must have kind, groups and steps`);
  }
  const state: (ParamState | null)[] = meta.steps.map((s) => (s === null ? null : { step: s, buffers: {} }));
  for (const [name, t] of tensors) {
    if (!name.startsWith(PREFIX)) continue;
    const rest = name.slice(PREFIX.length);
    const dot = rest.indexOf(".");
    const idx = Number(rest.slice(0, dot));
    const st = state[idx];
    if (dot < 0 || !Number.isInteger(idx) || !st) {
      throw new KirchhoffError("io", `${source}: tensor "${name}" does not belong to any parameter state`);
    }
    st.buffers[rest.slice(dot + 1)] = t.data;
  }
  return { kind: meta.kind, groups: meta.groups, state };
}

/** Saves an optimiser's state to a .safetensors file (atomically). */
export function saveOptimizer(opt: Optimizer<BaseHyper>, path: string): void {
  const { tensors, metadata } = optimizerStateToSafetensors(opt.stateDict());
  saveSafetensors(path, tensors, metadata);
}

/** Restores an optimiser's state from a file written by `saveOptimizer`. */
export function loadOptimizer(opt: Optimizer<BaseHyper>, path: string): void {
  const { tensors, metadata } = loadSafetensors(path);
  opt.loadStateDict(optimizerStateFromSafetensors(tensors, metadata, path), path);
}
