/**
 * safetensors files on disk: atomic writes (temporary file in the same folder, then rename) and reads with
 * errors that name the file. `saveModel` / `loadModel` store a module's state dict.
 */
import { readFileSync } from "node:fs";
import { KirchhoffError, writeFileAtomic } from "../../core/index.js";
import type { AnyModule, LoadStateResult, StateTensor } from "../module.js";
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from "./format.js";
import { fromTorchLayout, LAYOUT_METADATA_KEY } from "./torch-layout.js";

/** Writes float32 tensors and optional string metadata to a .safetensors file (atomically). */
export function saveSafetensors(
  path: string,
  tensors: Iterable<[string, StateTensor]>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads a .safetensors file; every tensor is converted to float32. */
export function loadSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new KirchhoffError("io", `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return decodeSafetensors(bytes, path);
}

/** Saves a module's parameters and buffers (its state dict, OHWI conv weights) with optional string metadata. */
export function saveModel(module: AnyModule, path: string, metadata?: Record<string, string>): void {
  saveSafetensors(path, module.stateDict(), { ...metadata, [LAYOUT_METADATA_KEY]: "OHWI" });
}

export interface LoadModelOptions {
  /** Missing / unexpected keys are an error (default true). */
  strict?: boolean;
  /**
   * Conv weight layout of the file: "kirchhoff" (OHWI) or "torch" (OIHW, converted on load). By default it is
   * read from the metadata; a PyTorch file (metadata format "pt") with 4-D tensors must say "torch" explicitly.
   */
  layout?: "kirchhoff" | "torch";
}

/**
 * Loads a state dict saved by `saveModel` (or by PyTorch with matching names, see `layout`) into `module`.
 * Returns the file's metadata and the missing/unexpected keys (non-empty only with `strict: false`).
 */
export function loadModel(
  module: AnyModule,
  path: string,
  opts: LoadModelOptions = {},
): LoadStateResult & { metadata: Record<string, string> } {
  const { tensors, metadata } = loadSafetensors(path);
  let layout = opts.layout;
  if (layout === undefined) {
    const has4d = [...tensors.values()].some((t) => t.shape.length === 4);
    if (metadata.format === "pt" && metadata[LAYOUT_METADATA_KEY] === undefined && has4d) {
      throw new KirchhoffError(
        "io",
        `${path}: written by PyTorch (metadata format "pt"), its conv weights are OIHW; load it with layout "torch" to convert them to OHWI`,
      );
    }
    layout = "kirchhoff";
  }
  const dict = layout === "torch" ? fromTorchLayout(tensors) : tensors;
  const res = module.loadStateDict(dict, { strict: opts.strict ?? true, source: path });
  return { ...res, metadata };
}
