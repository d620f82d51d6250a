/** Static MFCC features for a whole raw-audio dataset (no augmentation): evaluation sets and quick runs. */
import { KirchhoffError } from "../core/index.js";
import { MfccExtractor } from "./mfcc.js";
import type { Dataset } from "./types.js";

/** MFCCs of every clip: sampleShape [49, 10] ("TF") or [49, 10, 1] ("NHWC", default). */
export function mfccDataset(
  raw: Dataset,
  layout: "TF" | "NHWC" = "NHWC",
  extractor = new MfccExtractor(),
): Dataset {
  const len = extractor.cfg.clipSamples;
  if (raw.sampleShape.length !== 1 || raw.sampleShape[0] !== len) {
    throw new KirchhoffError(
      "shape",
      `mfccDataset(${raw.name}): expected raw clips of [${len}] samples, got ${JSON.stringify(raw.sampleShape)}`,
    );
  }
  const n = raw.y.length;
  const per = extractor.featureSize;
  const x = new Float32Array(n * per);
  for (let i = 0; i < n; i++) extractor.compute(raw.x.subarray(i * len, (i + 1) * len), x, i * per);
  const fs = [extractor.frames, extractor.cfg.numCoefficients];
  return { ...raw, name: `${raw.name}:mfcc`, x, sampleShape: layout === "NHWC" ? [...fs, 1] : fs };
}
