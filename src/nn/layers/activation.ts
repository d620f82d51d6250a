/** Parameter-free element-wise activation modules. */
import { configError } from "../../core/index.js";
import { leakyRelu, relu, relu6, sigmoid, type Tensor, tanh } from "../../tensor/index.js";
import { Module } from "../module.js";

/** max(0, x) */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** min(max(0, x), 6) — MobileNet's activation. */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** 1 / (1 + e^−x) */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x for x ≥ 0, slope·x otherwise (PyTorch default slope 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope))
      throw configError("LeakyReLU.negativeSlope", "a finite number", negativeSlope);
    this.negativeSlope = negativeSlope;
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override describe(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }
}

/** Returns its input unchanged (placeholder, e.g. an empty shortcut). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
