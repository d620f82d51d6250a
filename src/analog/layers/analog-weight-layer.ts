/**
 * Base of analog layers with one digital `weight` parameter and an optional `bias` (AnalogLinear,
 * AnalogConv2d): same parameter names as their digital counterparts, so weights copy over one-to-one.
 */
import type { Tensor } from "../../tensor/index.js";
import { AnalogLayer } from "./analog-layer.js";

/** The parts of a digital Linear / Conv2d that an analog conversion copies. */
export interface DigitalWeights {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly training: boolean;
}

export abstract class AnalogWeightLayer extends AnalogLayer {
  /** Whether the layer has a `bias` parameter (set by the subclass constructor). */
  abstract readonly hasBias: boolean;

  get weight(): Tensor {
    return this.getParameter("weight");
  }

  get bias(): Tensor | null {
    return this.hasBias ? this.getParameter("bias") : null;
  }

  /** Copies a digital layer's weight and bias (same layouts) onto this layer and its tiles; keeps its mode. */
  protected copyDigital(layer: DigitalWeights): void {
    this.weight.data.set(layer.weight.data);
    if (layer.bias) this.bias!.data.set(layer.bias.data);
    this.syncTiles();
    this.training = layer.training;
  }
}
