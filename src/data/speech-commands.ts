/**
 * Speech Commands folders (Warden 2018, arXiv:1804.03209, CC BY 4.0): one sub-folder per class holding
 * 16 kHz mono 16-bit WAVs named `<speaker>_nohash_<n>.wav`, an optional `_background_noise_` folder of long
 * noise recordings, and `_silence_` clips without a speaker. The raw download (word folders only) works too:
 * see speech-commands-sources.ts for how `_unknown_` and `_silence_` are then built.
 *
 * Splits are speaker-disjoint. Two rules:
 * - "official": the dataset's own rule (TensorFlow speech_commands/input_data.py `which_set`):
 *   percentage = (int(sha1(speaker), 16) mod 2^27) · 100 / (2^27 − 1); < val% → validation,
 *   < (val + test)% → test, else train. Use it on the full dataset to reproduce the published split.
 * - "hash" (default): the same thresholds on a salted FNV-1a hash of the speaker (src/data/hash.ts). Needed
 *   for subsets drawn from one official split: ../shared's subset is the official TEST set, so "official"
 *   sends every speaker clip to "test" (verified: 2,750 of 2,750).
 * Clips without a speaker (silence) are hashed by "<folder>/<file>".
 *
 * Amplitude: MLPerf Tiny's get_dataset.py divides every clip by its maximum sample (tf.reduce_max, the
 * signed maximum) before the MFCC front end, for all feature types except raw "td_samples". The reference
 * DS-CNN (../shared/reference/mlperf-tiny/kws_dscnn_float32.tflite) needs it: on the 3,000 clips of the shared
 * subset it scores 91.5 % with peak normalisation and 83.7 % with plain int16/32768 input
 * (scripts/fixtures/check_kws_input_scaling.py).
 * So `peakNormalize` defaults to true; noise clips for mixing stay at int16/32768 scale as in MLPerf.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { KirchhoffError } from "../core/index.js";
import { requireDir } from "./files.js";
import { hashUnit } from "./hash.js";
import { padOrTrim } from "./mfcc.js";
import { listClipSources, wavFiles } from "./speech-commands-sources.js";
import type { SplitName } from "./split.js";
import { type Dataset, validateDataset } from "./types.js";
import { readWav } from "./wav.js";

/** The 12 MLPerf Tiny KWS classes in the label order of TFDS speech_commands (the reference model's order). */
export const KWS12_CLASSES = [
  "down",
  "go",
  "left",
  "no",
  "off",
  "on",
  "right",
  "stop",
  "up",
  "yes",
  "_silence_",
  "_unknown_",
];

export const SPEECH_COMMANDS_ATTRIBUTION =
  "Speech Commands v0.02 (Pete Warden, arXiv:1804.03209, 2018), CC BY 4.0, https://creativecommons.org/licenses/by/4.0/";

/** Samples per clip: 1 s at 16 kHz. */
export const KWS_CLIP_SAMPLES = 16000;

const MAX_NUM_WAVS_PER_CLASS = 2 ** 27 - 1;

/** Speaker id of a Speech Commands file name: the token before `_nohash_` (`three_692a88e6_nohash_1.wav` → `692a88e6`). */
export function speakerOf(fileName: string): string | undefined {
  const i = fileName.indexOf("_nohash_");
  if (i <= 0) return undefined;
  const head = fileName.slice(0, i);
  return head.slice(head.lastIndexOf("_") + 1) || undefined;
}

/** Speech Commands' own `which_set` rule applied to a hash key (the speaker id). */
export function whichSet(key: string, valPercent = 10, testPercent = 10): SplitName {
  const hex = createHash("sha1").update(key, "utf8").digest("hex");
  // int(hex, 16) mod 2^27 depends only on the low 27 bits, i.e. the last 8 hex digits.
  const low = Number.parseInt(hex.slice(-8), 16) & MAX_NUM_WAVS_PER_CLASS;
  return percentToSplit(low * (100 / MAX_NUM_WAVS_PER_CLASS), valPercent, testPercent);
}

function percentToSplit(pct: number, valPercent: number, testPercent: number): SplitName {
  return pct < valPercent ? "val" : pct < valPercent + testPercent ? "test" : "train";
}

export interface SpeechCommandsOptions {
  /** Class folders in label order (default KWS12_CLASSES). Missing folders are an error. */
  classes?: string[];
  /** Percent of speakers for validation (default 10). */
  valPercent?: number;
  /** Percent of speakers for test (default 10). */
  testPercent?: number;
  /** Speaker-to-split rule (default "hash"; see the file comment). */
  splitRule?: "official" | "hash";
  /** Salt of the "hash" rule: another salt gives another speaker-disjoint split (default ""). */
  salt?: string;
  /** Read at most this many files per class (sorted by name) — for quick runs and tests. */
  maxPerClass?: number;
  /** Divide each clip by its maximum sample as MLPerf Tiny does (default true; see the file comment). */
  peakNormalize?: boolean;
  /** Expected sample rate (default 16000 Hz). */
  sampleRateHz?: number;
}

export interface SpeechCommandsData {
  /** Raw clips per split: sampleShape [16000], samples in [-1, 1), `groups` = speaker (or silence file). */
  train: Dataset;
  val: Dataset;
  test: Dataset;
  /** Noise recordings for mixing: `_background_noise_/*.wav` if present, else the training `_silence_` clips. */
  noise: Float32Array[];
}

/** Loads a Speech Commands folder into speaker-disjoint train/val/test sets of raw 1 s clips. */
export function loadSpeechCommands(dir: string, opts: SpeechCommandsOptions = {}): SpeechCommandsData {
  requireDir(dir, "Speech Commands folder");
  const classes = opts.classes ?? KWS12_CLASSES;
  const valPct = opts.valPercent ?? 10;
  const testPct = opts.testPercent ?? 10;
  if (!(valPct >= 0 && testPct >= 0 && valPct + testPct < 100)) {
    throw new KirchhoffError(
      "config",
      `Speech Commands split: valPercent ${valPct} + testPercent ${testPct} must be < 100`,
    );
  }
  const parts: Record<SplitName, { clips: Float32Array[]; y: number[]; groups: string[] }> = {
    train: { clips: [], y: [], groups: [] },
    val: { clips: [], y: [], groups: [] },
    test: { clips: [], y: [], groups: [] },
  };
  const silenceTrain: Float32Array[] = [];
  let noiseCache: { name: string; samples: Float32Array }[] | undefined;
  const noise = () => (noiseCache ??= loadBackgroundNoise(dir));
  const silenceLabel = classes.indexOf("_silence_");
  const sources = listClipSources(dir, classes, {
    sampleRateHz: opts.sampleRateHz ?? 16000,
    speakerOf,
    noise,
    ...(opts.maxPerClass !== undefined ? { maxPerClass: opts.maxPerClass } : {}),
  });
  for (const src of sources) {
    const split =
      (opts.splitRule ?? "hash") === "official"
        ? whichSet(src.key, valPct, testPct)
        : percentToSplit(hashUnit(`${opts.salt ?? ""}${src.key}`) * 100, valPct, testPct);
    const clip = padOrTrim(src.load(), KWS_CLIP_SAMPLES);
    if (src.label === silenceLabel && split === "train") silenceTrain.push(clip.slice());
    parts[split].clips.push((opts.peakNormalize ?? true) ? peakNormalize(clip) : clip);
    parts[split].y.push(src.label);
    parts[split].groups.push(src.key);
  }
  const make = (split: SplitName): Dataset => {
    const p = parts[split];
    const x = new Float32Array(p.clips.length * KWS_CLIP_SAMPLES);
    p.clips.forEach((c, i) => {
      x.set(c, i * KWS_CLIP_SAMPLES);
    });
    return validateDataset({
      name: `speech-commands:${split}`,
      x,
      sampleShape: [KWS_CLIP_SAMPLES],
      y: Int32Array.from(p.y),
      classes,
      license: SPEECH_COMMANDS_ATTRIBUTION,
      groups: p.groups,
    });
  };
  const bg = noise().map((n) => n.samples);
  return {
    train: make("train"),
    val: make("val"),
    test: make("test"),
    noise: bg.length > 0 ? bg : silenceTrain,
  };
}

/**
 * Divides a clip in place by its maximum sample (MLPerf: `wav / tf.reduce_max(wav)`); clips whose maximum
 * is ≤ 0 (digital silence) are left unchanged instead of becoming NaN.
 */
export function peakNormalize(clip: Float32Array): Float32Array {
  let m = 0;
  for (let i = 0; i < clip.length; i++) if (clip[i]! > m) m = clip[i]!;
  if (m > 0) {
    const inv = 1 / m;
    for (let i = 0; i < clip.length; i++) clip[i] = clip[i]! * inv;
  }
  return clip;
}

/** Recordings in `<dir>/_background_noise_/*.wav` (any length), or none when the folder is absent. */
function loadBackgroundNoise(dir: string): { name: string; samples: Float32Array }[] {
  const bg = join(dir, "_background_noise_");
  let files: string[];
  try {
    files = wavFiles(bg);
  } catch {
    return [];
  }
  return files
    .map((f) => ({ name: f, samples: readWav(join(bg, f)).samples }))
    .filter((n) => n.samples.length > 0);
}
