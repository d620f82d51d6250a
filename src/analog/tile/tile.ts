/**
 * One analog tile (aihwkit `InferenceTileWithPeriphery`, SPEC sections 4 and 7.3): an [outSize, inSize]
 * weight block with its own weight scaling, conductance scale, programming noise, drift exponents, drift
 * compensation alpha, input range and output scales.
 *
 *   setWeights(W)       W_tile = W / s (weight scaling), reference kept, programmed state cleared
 *   program(rng)        W_prog = noise.program(W_tile); baseline = readout(W_prog)
 *   drift(t, rng)       W_t = noise.drift(W_prog, t) (restarts from W_prog); alpha = baseline / readout(W_t)
 *   forward(x)          y = AnalogMVM(W_cur, clamp(x,−r,r)/r) · r · s_i · alpha · outScale_i   (no bias)
 */
import { KirchhoffError, type Rng, shapeError } from "../../core/index.js";
import type { AnalogConfig } from "../config/analog-config.js";
import { checkInferenceTime, type NoiseModel, type ProgrammedState } from "../device/noise-model.js";
import type { AnalogMvm } from "../periphery/analog-mvm.js";
import { type TileWeights, tileWeights } from "../periphery/tile-weights.js";
import type { PatchInput, UnitLayout } from "../periphery/unit-layout.js";
import { compensationAlpha, driftReadout } from "./drift-compensation.js";
import { applyWeightScaling } from "./weight-scaling.js";

export class AnalogTile {
  /** Target tile weights W/s (the reference that programming starts from). */
  readonly reference: Float32Array;
  /** Per-output mapping scales s_i from weight scaling (ones when off). */
  mappingScales: Float32Array;
  /** Learned output scales (1 unless trained), length 1 or outSize. */
  readonly outScales: Float32Array;
  /** Input range r when the config enables it, else null. */
  inputRange: number | null;
  /** Drift-compensation factor(s) applied in eval (length 1 or outSize). */
  alpha: Float32Array;
  private programmed: ProgrammedState | null = null;
  private baseline: Float64Array | null = null;
  private current: TileWeights;

  constructor(
    readonly outSize: number,
    readonly inSize: number,
    readonly config: AnalogConfig,
    readonly noiseModel: NoiseModel,
    readonly mvm: AnalogMvm,
  ) {
    this.reference = new Float32Array(outSize * inSize);
    this.mappingScales = new Float32Array(outSize).fill(1);
    this.outScales = new Float32Array(config.mapping.outScalingColumnwise ? outSize : 1).fill(1);
    this.inputRange = config.inputRange.enable ? config.inputRange.initValue : null;
    this.alpha = Float32Array.of(1);
    this.current = tileWeights(this.reference, outSize, inSize);
  }

  /** Loads W [outSize, inSize]: applies weight scaling and resets programming (aihwkit set_weights). */
  setWeights(w: Float32Array): void {
    if (w.length !== this.outSize * this.inSize) {
      throw shapeError("AnalogTile.setWeights", "weight elements", this.outSize * this.inSize, w.length);
    }
    const m = this.config.mapping;
    this.mappingScales = applyWeightScaling(
      w,
      this.outSize,
      this.inSize,
      m.weightScalingOmega,
      m.weightScalingColumnwise,
      this.reference,
    );
    this.outScales.fill(1);
    this.programmed = null;
    this.baseline = null;
    this.alpha = Float32Array.of(1);
    this.current = tileWeights(this.reference, this.outSize, this.inSize);
  }

  /** The weights the tile currently computes with, W_cur (tile units, before mapping scales). */
  get weights(): Float32Array {
    return this.current.w;
  }

  /** Drift-compensation readout taken at programming (null before programming or without compensation). */
  get driftBaseline(): Float64Array | null {
    return this.baseline;
  }

  get isProgrammed(): boolean {
    return this.programmed !== null;
  }

  /** Programs the reference weights (programming noise, ν) and takes the drift-compensation baseline. */
  program(rng: Rng): void {
    this.programmed = this.noiseModel.program(this.reference, rng);
    this.current = tileWeights(this.programmed.wProg, this.outSize, this.inSize);
    this.baseline = driftReadout(this.config.driftCompensation, this.mvm, this.current, rng);
    this.alpha = Float32Array.of(1);
  }

  /** Weights tInferenceSec after programming (programs first if needed) and the new alpha. */
  drift(tInferenceSec: number, rng: Rng): void {
    checkInferenceTime(tInferenceSec, "AnalogTile.drift");
    if (!this.programmed) this.program(rng);
    const wt = this.noiseModel.drift(this.programmed!, tInferenceSec, rng);
    this.current = tileWeights(wt, this.outSize, this.inSize);
    const now = driftReadout(this.config.driftCompensation, this.mvm, this.current, rng);
    this.alpha = this.baseline && now ? compensationAlpha(this.baseline, now) : Float32Array.of(1);
  }

  /**
   * Eval forward without bias: y[batch, outSize] for x[batch, inSize] (or, with `patches`, for the conv
   * patches of x gathered in the kernel; requires fusedInput). `applyAlpha` is false in training mode
   * (aihwkit applies alpha only in eval).
   */
  forward(
    x: Float32Array,
    batch: number,
    y: Float32Array,
    rng: Rng,
    applyAlpha = true,
    bias: Float32Array | null = null,
    patches: PatchInput | null = null,
  ): Float32Array {
    const r = this.inputRange;
    if (patches && !this.fusedInput)
      throw new KirchhoffError("shape", "AnalogTile.forward: patches need fusedInput");
    if (this.fusedInput) {
      const M = this.outSize;
      const layout = {
        xOff: 0,
        ldx: this.inSize,
        yOff: 0,
        ldy: M,
        accumulate: false,
        biasAfter: null,
        patches,
      };
      this.forwardInPlace(x, layout, batch, y, rng, applyAlpha, bias);
      return y;
    }
    let xin = x;
    if (r !== null) {
      xin = new Float32Array(batch * this.inSize);
      for (let i = 0; i < xin.length; i++) {
        const v = x[i]!;
        xin[i] = Math.fround((v < -r ? -r : Math.min(v, r)) / r);
      }
    }
    return this.mvm.forward(this.current, xin, batch, y, rng, this.postFactors(applyAlpha), bias);
  }

  /**
   * Eval forward through the fused kernel (requires `fusedInput`): the input vectors are read from x and the
   * outputs written or accumulated into y as `layout` says (e.g. one input block of a wider layer).
   */
  forwardInPlace(
    x: Float32Array,
    layout: UnitLayout,
    batch: number,
    y: Float32Array,
    rng: Rng,
    applyAlpha = true,
    bias: Float32Array | null = null,
  ): void {
    const tw = this.current;
    this.mvm.forwardTile([tw], tw.w, x, layout, batch, y, rng, this.postFactors(applyAlpha), bias);
  }

  /** Whether forwardInPlace applies: fusable periphery and no input range (it would rescale x first). */
  get fusedInput(): boolean {
    return this.inputRange === null && this.mvm.fusable;
  }

  /** The weights the periphery computes with (programmed/drifted or reference). */
  get tileWeights(): TileWeights {
    return this.current;
  }

  /**
   * Per-output factor applied after the ADC: input range × mapping scale × alpha (eval) × learned out
   * scale, in float32 in aihwkit's order; null when every factor is 1.
   */
  postFactors(applyAlpha: boolean): Float32Array | null {
    const r = this.inputRange ?? 1;
    const M = this.outSize;
    const post = new Float32Array(M);
    let trivial = true;
    for (let i = 0; i < M; i++) {
      const a = applyAlpha ? this.alpha[this.alpha.length === 1 ? 0 : i]! : 1;
      const o = this.outScales[this.outScales.length === 1 ? 0 : i]!;
      post[i] = Math.fround(Math.fround(Math.fround(r * this.mappingScales[i]!) * a) * o);
      if (post[i] !== 1) trivial = false;
    }
    return trivial ? null : post;
  }
}
