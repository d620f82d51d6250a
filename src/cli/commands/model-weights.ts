/** Reading trained weights for the CLI: a `model.safetensors` or the model part of a training checkpoint. */
import { existsSync } from "node:fs";
import { KirchhoffError } from "../../core/index.js";
import { loadSafetensors, type StateTensor } from "../../nn/index.js";

/** Model tensors of a model file or a training checkpoint (`model.` prefix, HWA buffers dropped). */
export function readModelTensors(path: string): Map<string, StateTensor> {
  if (!existsSync(path)) throw new KirchhoffError("io", `weights file ${path} does not exist`);
  const { tensors } = loadSafetensors(path);
  const isCheckpoint = [...tensors.keys()].some((k) => k.startsWith("model."));
  if (!isCheckpoint) return tensors;
  const out = new Map<string, StateTensor>();
  for (const [k, t] of tensors) {
    if (!k.startsWith("model.") || /\.hwa_(calls|tile_scale)$/.test(k)) continue;
    out.set(k.slice(6), t);
  }
  const remapped = [...tensors.keys()].some(
    (k) => k.endsWith(".hwa_tile_scale") && tensors.get(k)!.data.some((v) => v !== 1),
  );
  if (remapped) {
    throw new KirchhoffError(
      "config",
      `${path}: checkpoint of a remapped HWA run; evaluate the run's model.safetensors instead`,
    );
  }
  return out;
}
