/** Pooling on channels-last input `[N, H, W, C]`. */
import { configError } from "../../core/index.js";
import { avgPool2d, globalAvgPool2d, maxPool2d, type Tensor } from "../../tensor/index.js";
import { Module } from "../module.js";

function checkPool(name: string, kernelSize: number, stride: number, padding: number): void {
  if (!(Number.isInteger(kernelSize) && kernelSize > 0))
    throw configError(`${name}.kernelSize`, "a positive integer", kernelSize);
  if (!(Number.isInteger(stride) && stride > 0))
    throw configError(`${name}.stride`, "a positive integer", stride);
  if (!(Number.isInteger(padding) && padding >= 0 && padding <= kernelSize / 2)) {
    throw configError(`${name}.padding`, `an integer in [0, kernelSize/2 = ${kernelSize / 2}]`, padding);
  }
}

/** Max over k×k windows (stride defaults to k). */
export class MaxPool2d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  constructor(kernelSize: number, stride = kernelSize, padding = 0) {
    super();
    checkPool("MaxPool2d", kernelSize, stride, padding);
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.stride, this.padding);
  }
  override describe(): string {
    return `MaxPool2d(k=${this.kernelSize}, stride=${this.stride}, padding=${this.padding})`;
  }
}

/** Mean over k×k windows (stride defaults to k; zero padding counts in the mean, like PyTorch). */
export class AvgPool2d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  constructor(kernelSize: number, stride = kernelSize, padding = 0) {
    super();
    checkPool("AvgPool2d", kernelSize, stride, padding);
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.stride, this.padding);
  }
  override describe(): string {
    return `AvgPool2d(k=${this.kernelSize}, stride=${this.stride}, padding=${this.padding})`;
  }
}

/** Mean over H and W: `[N, H, W, C] → [N, C]`. */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    return globalAvgPool2d(x);
  }
}
