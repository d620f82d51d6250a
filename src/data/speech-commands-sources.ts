/**
 * Which files make up each class of a Speech Commands folder. Two layouts are understood:
 * - prepared (the MLPerf / TFDS 12-class layout, as in ../shared): a folder per class, `_unknown_` and
 *   `_silence_` included;
 * - raw download (35 word folders + `_background_noise_`): a missing `_unknown_` class is drawn from the word
 *   folders that are not classes (ordered by a stable hash of "word/file", so all words are mixed), and a
 *   missing `_silence_` class is cut from `_background_noise_` recordings as 1 s segments at hash-chosen
 *   offsets. Both default to the mean size of the other classes (capped by `maxPerClass`).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { KirchhoffError } from "../core/index.js";
import { fnv1a32, hashUnit } from "./hash.js";
import { readWav } from "./wav.js";

/** One clip to load: its label, the key that decides its split, and how to read it. */
export interface ClipSource {
  label: number;
  /** Split key: the speaker id, or "<class>/<file>" (silence) for clips without one. */
  key: string;
  /** Raw samples (not yet padded or normalised). */
  load: () => Float32Array;
}

export interface SourceOptions {
  maxPerClass?: number;
  sampleRateHz: number;
  /** Speaker of a file name, or undefined. */
  speakerOf: (file: string) => string | undefined;
  /** Background recordings (loaded lazily, only when `_silence_` must be synthesised). */
  noise: () => { name: string; samples: Float32Array }[];
}

const CLIP = 16000;

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function wavFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(".wav"))
    .sort();
}

/** Lists every clip of every class (see the file comment for the two layouts). */
export function listClipSources(dir: string, classes: string[], o: SourceOptions): ClipSource[] {
  const out: ClipSource[] = [];
  const counts: number[] = [];
  const pending: { cls: string; label: number }[] = [];
  const cap = (files: string[]) => (o.maxPerClass !== undefined ? files.slice(0, o.maxPerClass) : files);
  for (const [label, cls] of classes.entries()) {
    const sub = join(dir, cls);
    if (!isDir(sub)) {
      if (cls === "_unknown_" || cls === "_silence_") {
        pending.push({ cls, label });
        continue;
      }
      throw new KirchhoffError("io", `Speech Commands class folder "${cls}": ${sub}: directory not found`);
    }
    const files = cap(wavFiles(sub));
    counts.push(files.length);
    for (const f of files) {
      const path = join(sub, f);
      out.push({
        label,
        key: o.speakerOf(f) ?? `${cls}/${f}`,
        load: () => readWav(path, { sampleRateHz: o.sampleRateHz }).samples,
      });
    }
  }
  const mean = counts.length > 0 ? Math.round(counts.reduce((a, b) => a + b, 0) / counts.length) : 0;
  const want = Math.min(mean, o.maxPerClass ?? mean);
  for (const { cls, label } of pending) {
    if (cls === "_unknown_") out.push(...unknownFromWords(dir, classes, label, want, o));
    else out.push(...silenceFromNoise(dir, label, want, o));
  }
  return out;
}

function unknownFromWords(
  dir: string,
  classes: string[],
  label: number,
  want: number,
  o: SourceOptions,
): ClipSource[] {
  const words = readdirSync(dir).filter(
    (d) => !d.startsWith("_") && !d.startsWith(".") && !classes.includes(d) && isDir(join(dir, d)),
  );
  if (words.length === 0) {
    throw new KirchhoffError(
      "io",
      `Speech Commands folder ${dir}: no "_unknown_" folder and no other word folders to build it from`,
    );
  }
  const all = words.flatMap((w) => wavFiles(join(dir, w)).map((f) => ({ w, f, h: fnv1a32(`${w}/${f}`) })));
  all.sort((a, b) => a.h - b.h || (a.w + a.f < b.w + b.f ? -1 : 1));
  return all.slice(0, want).map(({ w, f }) => ({
    label,
    key: o.speakerOf(f) ?? `${w}/${f}`,
    load: () => readWav(join(dir, w, f), { sampleRateHz: o.sampleRateHz }).samples,
  }));
}

function silenceFromNoise(dir: string, label: number, want: number, o: SourceOptions): ClipSource[] {
  const noise = o.noise().filter((n) => n.samples.length >= CLIP);
  if (noise.length === 0) {
    throw new KirchhoffError(
      "io",
      `Speech Commands folder ${dir}: no "_silence_" folder and no _background_noise_ recording of ≥ 1 s to cut it from`,
    );
  }
  const out: ClipSource[] = [];
  for (let k = 0; k < want; k++) {
    const n = noise[k % noise.length]!;
    const key = `_silence_/${n.name}#${k}`;
    const offset = Math.floor(hashUnit(key) * (n.samples.length - CLIP + 1));
    out.push({ label, key, load: () => n.samples.slice(offset, offset + CLIP) });
  }
  return out;
}
