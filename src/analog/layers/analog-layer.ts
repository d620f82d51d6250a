/**
 * Base class of analog layers: a Module that keeps its digital parameters (same names and layouts as the
 * digital layer, so state dicts interchange) plus one or more AnalogTileArrays that hold the programmed /
 * drifted weights. Eval forward runs through the tiles; training forward uses the digital weights unless
 * `trainingForward = "analog"` (noisy tile forward with straight-through gradients, a hook for
 * hardware-aware training).
 */
import { KirchhoffError, type Rng } from "../../core/index.js";
import { Module } from "../../nn/index.js";
import { add, type Tensor, tensor } from "../../tensor/index.js";
import type { AnalogConfig } from "../config/analog-config.js";
import { checkInferenceTime } from "../device/noise-model.js";
import type { PatchInput } from "../periphery/unit-layout.js";
import type { AnalogTileArray } from "../tile/tile-array.js";

/** A weight matrix [out, in] (row-major view of a parameter) paired with the tile array that maps it. */
export interface MappedWeight {
  array: AnalogTileArray;
  /** Reads the digital parameter(s) as the [outSize, inSize] tile-order matrix and bias. */
  read(): { w: Float32Array; bias: Float32Array | null };
}

export abstract class AnalogLayer<In extends unknown[] = [Tensor], Out = Tensor> extends Module<In, Out> {
  /** "digital" (default): train with the digital weights; "analog": noisy tile forward, straight-through grads. */
  trainingForward: "digital" | "analog" = "digital";
  /** Source of the forward-pass (DAC/ADC/read) noise. */
  forwardRng: Rng;
  private programmedFlag = false;

  protected constructor(
    readonly config: AnalogConfig,
    rng: Rng,
  ) {
    super();
    this.forwardRng = rng.fork("analog-forward");
  }

  /** The weight matrices of this layer and their tile arrays. */
  abstract mappedWeights(): MappedWeight[];

  /** Copies the current digital parameters onto the tiles (clears programming). */
  syncTiles(): void {
    for (const m of this.mappedWeights()) {
      const { w, bias } = m.read();
      m.array.setWeights(w, bias);
    }
    this.programmedFlag = false;
  }

  /** Crossbar tiles this layer occupies (0 while it is being built: describe() may already name it then). */
  tileCount(): number {
    const mapped = this.mappedWeights() as (MappedWeight | undefined)[] | undefined;
    let n = 0;
    for (const m of mapped ?? []) n += m?.array?.allTiles().length ?? 0;
    return n;
  }

  /** ", tiles=N" for describe(), once the layer has its tiles. */
  protected tilesText(): string {
    const n = this.tileCount();
    return n > 0 ? `, tiles=${n}` : "";
  }

  get isProgrammed(): boolean {
    return this.programmedFlag;
  }

  /**
   * Programs the current digital weights onto the tiles (programming noise, drift exponents, baseline).
   * Throws KirchhoffError("data") naming the element for a NaN or infinite weight: it cannot be mapped to a
   * conductance, and the tile's conductance scale (its largest |weight|) would make all its outputs NaN.
   */
  program(rng: Rng): void {
    const mapped = this.mappedWeights();
    // every matrix read and checked before any tile changes, then set onto its tiles and programmed
    const read = mapped.map((m, i) => {
      const r = m.read();
      const j = r.w.findIndex((v) => !Number.isFinite(v));
      if (j < 0) return r;
      const [rows, cols] = [m.array.outSize, m.array.inSize];
      const which = mapped.length > 1 ? ` of weight matrix ${i}` : "";
      throw new KirchhoffError(
        "data",
        `${this.describe()}.program: weight [${Math.floor(j / cols)}, ${j % cols}]${which} (of ${rows}×${cols}, tile order) is ${r.w[j]}: expected a finite weight`,
      );
    });
    mapped.forEach((m, i) => {
      m.array.setWeights(read[i]!.w, read[i]!.bias);
      m.array.program(rng.fork(`tiles${i}`));
    });
    this.programmedFlag = true;
  }

  /** Drifts every tile to tInferenceSec after programming (programs first if needed). */
  drift(tInferenceSec: number, rng: Rng): void {
    checkInferenceTime(tInferenceSec, `${this.describe()}.drift`);
    if (!this.programmedFlag) this.program(rng.fork("program"));
    this.mappedWeights().forEach((m, i) => {
      m.array.drift(tInferenceSec, rng.fork(`tiles${i}`));
    });
  }

  /** Whether the current call should go through the tiles. */
  protected useTiles(): boolean {
    return !this.training || this.trainingForward === "analog";
  }

  /**
   * y[B, out] = tiles(x[B, in]) + digital bias (with `patches`: the conv patches of the NHWC input x, gathered
   * by the tiles); unprogrammed tiles compute with the current parameters.
   */
  protected runTiles(
    m: MappedWeight,
    x2d: Float32Array,
    batch: number,
    out: Float32Array = new Float32Array(batch * m.array.outSize),
    patches: PatchInput | null = null,
  ): Float32Array {
    if (!this.programmedFlag) {
      const { w, bias } = m.read();
      m.array.setWeights(w, bias);
    }
    return m.array.forward(x2d, batch, out, this.forwardRng, !this.training, patches);
  }

  /**
   * Straight-through estimator: the value of the analog output with the gradient of the digital one,
   * y = yDigital + (yAnalog − yDigital) where the difference carries no gradient.
   */
  protected straightThrough(yDigital: Tensor, yAnalog: Float32Array): Tensor {
    const delta = new Float32Array(yAnalog.length);
    for (let i = 0; i < delta.length; i++) delta[i] = yAnalog[i]! - yDigital.data[i]!;
    return add(yDigital, tensor(delta, [...yDigital.shape]));
  }
}
