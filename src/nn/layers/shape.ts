/** Shape-only and regularisation modules: Flatten and Dropout. */
import { configError, type Rng } from "../../core/index.js";
import { dropout, flatten, type Tensor } from "../../tensor/index.js";
import { Module } from "../module.js";

/** Flattens axes `startAxis..end` into one (default keeps the batch axis: `[N, ...] → [N, prod]`). */
export class Flatten extends Module {
  readonly startAxis: number;
  constructor(startAxis = 1) {
    super();
    if (!(Number.isInteger(startAxis) && startAxis >= 0))
      throw configError("Flatten.startAxis", "an integer >= 0", startAxis);
    this.startAxis = startAxis;
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startAxis);
  }
  override describe(): string {
    return `Flatten(startAxis=${this.startAxis})`;
  }
}

/**
 * Inverted dropout: in training zeroes each element with probability `p` and scales the rest by 1/(1−p);
 * identity in eval mode. Masks come from `rng` (the module keeps it and advances it every call).
 */
export class Dropout extends Module {
  readonly p: number;
  /** The mask generator (advanced on every training forward). */
  readonly rng: Rng;
  constructor(p: number, rng: Rng) {
    super();
    if (!(p >= 0 && p < 1)) throw configError("Dropout.p", "in [0, 1)", p);
    this.p = p;
    this.rng = rng;
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, true, this.rng);
  }
  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}
