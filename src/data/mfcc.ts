/**
 * The keyword-spotting front end of MLPerf Tiny's KWS DS-CNN (mlcommons/tiny, training/keyword_spotting/
 * get_dataset.py), reproduced op by op from TensorFlow's definitions:
 *
 *   stft   = tf.signal.stft(wav, frame_length=480, frame_step=320, fft_length=512 (None → next pow2),
 *                           window_fn=tf.signal.hann_window (periodic), pad_end=False)   → 49 × 257
 *   mel    = |stft| · tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20, 4000)   → 49 × 40
 *   logmel = log(mel + 1e-6)
 *   mfcc   = tf.signal.mfccs_from_log_mel_spectrograms(logmel)[..., :10]                → 49 × 10
 *
 * where mfccs_from_log_mel_spectrograms = dct(logmel, type=2) · rsqrt(2·numMel) and TF's unnormalised
 * DCT-II is y[k] = 2·Σ x[n]·cos(π·k·(2n+1)/(2N)); so mfcc[k] = sqrt(2/N)·Σ x[n]·cos(π·k·(2n+1)/(2N)) for
 * every k (no extra 1/√2 at k = 0, unlike norm='ortho'). Input: 16 kHz samples as floats (int16 ÷ 32768);
 * MLPerf additionally divides each clip by its maximum first — see `peakNormalize` in speech-commands.ts.
 */
import { configError, KirchhoffError } from "../core/index.js";
import { RealFft } from "./fft.js";

export interface MfccConfig {
  sampleRateHz: number;
  /** Clip length in samples (MLPerf: 1 s = 16000). */
  clipSamples: number;
  /** STFT frame length in samples (30 ms = 480). */
  frameLength: number;
  /** STFT hop in samples (20 ms = 320). */
  frameStep: number;
  /** FFT length (512). */
  fftLength: number;
  numMelBins: number;
  lowerEdgeHz: number;
  upperEdgeHz: number;
  /** Offset inside the log (1e-6). */
  logOffset: number;
  numCoefficients: number;
}

/** The MLPerf Tiny KWS settings: 49 frames × 10 coefficients. */
export const MLPERF_KWS_MFCC: Readonly<MfccConfig> = Object.freeze({
  sampleRateHz: 16000,
  clipSamples: 16000,
  frameLength: 480,
  frameStep: 320,
  fftLength: 512,
  numMelBins: 40,
  lowerEdgeHz: 20,
  upperEdgeHz: 4000,
  logOffset: 1e-6,
  numCoefficients: 10,
});

/** HTK mel scale as TF's _hertz_to_mel: 1127 · ln(1 + f / 700). */
export function hertzToMel(fHz: number): number {
  return 1127.0 * Math.log(1.0 + fHz / 700.0);
}

/** tf.signal.hann_window(n, periodic=True): 0.5 − 0.5·cos(2πi/n). */
export function hannWindowPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * tf.signal.linear_to_mel_weight_matrix as a dense [numSpectrogramBins, numMelBins] row-major matrix.
 * Row 0 (DC) is zero ("HTK excludes the spectrogram DC bin"); bin k's frequency is k·(sr/2)/(bins−1).
 */
export function linearToMelWeightMatrix(
  numMelBins: number,
  numSpectrogramBins: number,
  sampleRateHz: number,
  lowerEdgeHz: number,
  upperEdgeHz: number,
): Float64Array {
  if (!(lowerEdgeHz >= 0 && upperEdgeHz > lowerEdgeHz && upperEdgeHz <= sampleRateHz / 2)) {
    throw configError("mel band edges", `0 ≤ lower < upper ≤ ${sampleRateHz / 2} Hz`, [
      lowerEdgeHz,
      upperEdgeHz,
    ]);
  }
  const nyquist = sampleRateHz / 2;
  const lowMel = hertzToMel(lowerEdgeHz);
  const highMel = hertzToMel(upperEdgeHz);
  const edges = new Float64Array(numMelBins + 2);
  for (let i = 0; i < edges.length; i++) edges[i] = lowMel + ((highMel - lowMel) * i) / (numMelBins + 1);
  const m = new Float64Array(numSpectrogramBins * numMelBins);
  for (let k = 1; k < numSpectrogramBins; k++) {
    const mel = hertzToMel((nyquist * k) / (numSpectrogramBins - 1));
    for (let b = 0; b < numMelBins; b++) {
      const lower = (mel - edges[b]!) / (edges[b + 1]! - edges[b]!);
      const upper = (edges[b + 2]! - mel) / (edges[b + 2]! - edges[b + 1]!);
      m[k * numMelBins + b] = Math.max(0, Math.min(lower, upper));
    }
  }
  return m;
}

/** Number of STFT frames without end padding: 1 + floor((L − frameLength) / frameStep). */
export function numFrames(cfg: Pick<MfccConfig, "clipSamples" | "frameLength" | "frameStep">): number {
  return 1 + Math.floor((cfg.clipSamples - cfg.frameLength) / cfg.frameStep);
}

/** Reusable MFCC extractor (precomputed window, sparse mel matrix, DCT table, FFT twiddles). */
export class MfccExtractor {
  readonly cfg: Readonly<MfccConfig>;
  readonly frames: number;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  /** Per mel band: first spectrogram bin and its nonzero weights. */
  private readonly melStart: Int32Array;
  private readonly melWeights: Float64Array[];
  private readonly dct: Float64Array;
  private readonly frame: Float64Array;
  private readonly mag: Float64Array;
  private readonly logMel: Float64Array;
  private readonly sRe: Float64Array;
  private readonly sIm: Float64Array;

  constructor(cfg: Readonly<MfccConfig> = MLPERF_KWS_MFCC) {
    if (cfg.frameLength > cfg.fftLength)
      throw configError("frameLength", `≤ fftLength ${cfg.fftLength}`, cfg.frameLength);
    if (cfg.numCoefficients > cfg.numMelBins)
      throw configError("numCoefficients", `≤ numMelBins ${cfg.numMelBins}`, cfg.numCoefficients);
    this.cfg = cfg;
    this.frames = numFrames(cfg);
    if (this.frames < 1)
      throw configError("clipSamples", `≥ frameLength ${cfg.frameLength}`, cfg.clipSamples);
    this.fft = new RealFft(cfg.fftLength);
    this.window = hannWindowPeriodic(cfg.frameLength);
    const bins = cfg.fftLength / 2 + 1;
    const dense = linearToMelWeightMatrix(
      cfg.numMelBins,
      bins,
      cfg.sampleRateHz,
      cfg.lowerEdgeHz,
      cfg.upperEdgeHz,
    );
    this.melStart = new Int32Array(cfg.numMelBins);
    this.melWeights = [];
    for (let b = 0; b < cfg.numMelBins; b++) {
      let lo = -1;
      let hi = -1;
      for (let k = 0; k < bins; k++) {
        if (dense[k * cfg.numMelBins + b]! !== 0) {
          if (lo < 0) lo = k;
          hi = k;
        }
      }
      this.melStart[b] = Math.max(lo, 0);
      const w = new Float64Array(lo < 0 ? 0 : hi - lo + 1);
      for (let k = 0; k < w.length; k++) w[k] = dense[(lo + k) * cfg.numMelBins + b]!;
      this.melWeights.push(w);
    }
    const nm = cfg.numMelBins;
    this.dct = new Float64Array(cfg.numCoefficients * nm);
    const scale = Math.sqrt(2 / nm);
    for (let c = 0; c < cfg.numCoefficients; c++) {
      for (let i = 0; i < nm; i++)
        this.dct[c * nm + i] = scale * Math.cos((Math.PI * c * (2 * i + 1)) / (2 * nm));
    }
    this.frame = new Float64Array(cfg.frameLength);
    this.mag = new Float64Array(bins);
    this.logMel = new Float64Array(nm);
    this.sRe = new Float64Array(bins);
    this.sIm = new Float64Array(bins);
  }

  /** Values per clip: frames × numCoefficients (49 × 10 = 490). */
  get featureSize(): number {
    return this.frames * this.cfg.numCoefficients;
  }

  /**
   * MFCCs of one clip (exactly `clipSamples` samples in [-1, 1)), written row-major [frame, coefficient]
   * into `out` at `offset`; returns `out`.
   */
  compute(samples: Float32Array, out = new Float32Array(this.featureSize), offset = 0): Float32Array {
    const cfg = this.cfg;
    if (samples.length !== cfg.clipSamples) {
      throw new KirchhoffError(
        "shape",
        `MFCC: expected ${cfg.clipSamples} samples (pad/trim first), got ${samples.length}`,
      );
    }
    const nm = cfg.numMelBins;
    const nc = cfg.numCoefficients;
    for (let f = 0; f < this.frames; f++) {
      const s0 = f * cfg.frameStep;
      for (let i = 0; i < cfg.frameLength; i++) this.frame[i] = samples[s0 + i]! * this.window[i]!;
      this.fft.magnitude(this.frame, this.mag, this.sRe, this.sIm);
      for (let b = 0; b < nm; b++) {
        const w = this.melWeights[b]!;
        const k0 = this.melStart[b]!;
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * this.mag[k0 + k]!;
        this.logMel[b] = Math.log(acc + cfg.logOffset);
      }
      const o = offset + f * nc;
      for (let c = 0; c < nc; c++) {
        let acc = 0;
        const row = c * nm;
        for (let i = 0; i < nm; i++) acc += this.dct[row + i]! * this.logMel[i]!;
        out[o + c] = acc;
      }
    }
    return out;
  }
}

/** Zero-pads at the end or trims to `length` samples (as MLPerf's get_dataset does). */
export function padOrTrim(samples: Float32Array, length: number): Float32Array {
  if (samples.length === length) return samples;
  const out = new Float32Array(length);
  out.set(samples.length > length ? samples.subarray(0, length) : samples);
  return out;
}
