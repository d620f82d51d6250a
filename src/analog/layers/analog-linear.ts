/** Analog fully connected layer (aihwkit AnalogLinear): y = tiles(x) + b with W `[outFeatures, inFeatures]`. */
import { type Rng, shapeError } from "../../core/index.js";
import { type Linear, torchDefaultInit } from "../../nn/index.js";
import { linear, type Tensor, tensor, zeros } from "../../tensor/index.js";
import type { AnalogConfig } from "../config/analog-config.js";
import { AnalogTileArray } from "../tile/tile-array.js";
import type { MappedWeight } from "./analog-layer.js";
import { AnalogWeightLayer } from "./analog-weight-layer.js";

export class AnalogLinear extends AnalogWeightLayer {
  readonly array: AnalogTileArray;
  readonly hasBias: boolean;
  private readonly mapped: MappedWeight;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    config: AnalogConfig,
    opts: { rng: Rng; bias?: boolean },
  ) {
    super(config, opts.rng);
    this.array = new AnalogTileArray(outFeatures, inFeatures, config);
    const w = this.registerParameter("weight", zeros([outFeatures, inFeatures]));
    this.hasBias = opts.bias ?? true;
    const b = this.hasBias ? this.registerParameter("bias", zeros([outFeatures])) : null;
    torchDefaultInit(w, b, opts.rng.fork("init"));
    this.mapped = {
      array: this.array,
      read: () => ({ w: this.weight.data, bias: this.bias?.data ?? null }),
    };
    this.syncTiles();
  }

  /** Converts a trained digital Linear (weights copied). */
  static fromDigital(layer: Linear, config: AnalogConfig, rng: Rng): AnalogLinear {
    const a = new AnalogLinear(layer.inFeatures, layer.outFeatures, config, { rng, bias: layer.hasBias });
    a.copyDigital(layer);
    return a;
  }

  mappedWeights(): MappedWeight[] {
    return [this.mapped];
  }

  /** x: `[..., inFeatures]` → `[..., outFeatures]`. */
  forward(x: Tensor): Tensor {
    const k = this.inFeatures;
    if (x.shape[x.shape.length - 1] !== k) throw shapeError(this.describe(), "input last dim", k, x.shape);
    if (!this.useTiles()) return linear(x, this.weight, this.bias ?? undefined);
    const batch = x.size / k;
    const y = this.runTiles(this.mapped, x.data, batch);
    const shape = [...x.shape.slice(0, -1), this.outFeatures];
    if (!this.training) return tensor(y, shape);
    return this.straightThrough(linear(x, this.weight, this.bias ?? undefined), y);
  }

  override describe(): string {
    return `AnalogLinear(${this.inFeatures}, ${this.outFeatures}, bias=${this.hasBias}, preset=${this.config.name}${this.tilesText()})`;
  }
}
