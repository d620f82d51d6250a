/**
 * Model size and cost: parameter counts (optionally including batch-norm running statistics, the convention
 * of the MLPerf Tiny / Keras published numbers) and multiply-accumulate (MAC) counts per sample.
 */
import { KirchhoffError } from "../../core/index.js";
import { noGrad, type Tensor, zeros } from "../../tensor/index.js";
import { BatchNorm } from "../layers/batchnorm.js";
import { Conv2d } from "../layers/conv.js";
import { Linear } from "../layers/linear.js";
import { GRU, LSTM } from "../layers/recurrent.js";
import type { AnyModule } from "../module.js";

export interface ParameterCountOptions {
  /**
   * Add BN running mean and variance (Keras counts them as non-trainable parameters; MLPerf Tiny's published
   * 78,666 / 24,908 / 221,794 / 269,992 include them). Default false (trainable tensors only, like PyTorch).
   */
  includeBnStats?: boolean;
}

/** Number of scalar parameters of a model. */
export function countParameters(model: AnyModule, opts: ParameterCountOptions = {}): number {
  let n = model.numParameters();
  if (opts.includeBnStats) {
    for (const m of model.modules()) if (m instanceof BatchNorm) n += 2 * m.numFeatures;
  }
  return n;
}

/**
 * Multiply-accumulates of one forward pass of ONE sample of shape `sampleShape` (no batch axis), counting
 * convolutions (outH·outW·outC·kH·kW·inC/groups), dense layers (in·out per row) and LSTM / GRU layers
 * (T·gates·H·(I + H) per layer, gates 4 / 3); batch norm, pooling, activations and additions are not MACs.
 * Runs one forward pass in eval mode under noGrad and restores the model's mode.
 */
export function countMacs(model: AnyModule, sampleShape: readonly number[]): number {
  let macs = 0;
  const patched: AnyModule[] = [];
  const wasTraining = model.training;
  for (const m of model.modules()) {
    let rule: ((x: Tensor, y: Tensor) => number) | null = null;
    if (m instanceof Conv2d) {
      const [kH, kW] = m.kernelSize;
      rule = (_x, y) => (y.size / y.shape[0]!) * kH * kW * (m.inChannels / m.groups);
    } else if (m instanceof Linear) {
      rule = (x) => (x.size / x.shape[0]!) * m.outFeatures;
    } else if (m instanceof LSTM || m instanceof GRU) {
      // per time step and layer, gates·H·(I + H) (layers above the first take the H-wide hidden state as input)
      const gates = m instanceof LSTM ? 4 : 3;
      const H = m.hiddenSize;
      const perStep = gates * H * (m.inputSize + H) + (m.numLayers - 1) * gates * H * (2 * H);
      rule = (x) => x.shape[m.batchFirst ? 1 : 0]! * perStep;
    }
    if (!rule) continue;
    const original = m.forward;
    const count = rule;
    Object.defineProperty(m, "forward", {
      configurable: true,
      writable: true,
      value: (x: Tensor, ...rest: unknown[]) => {
        const y = original.call(m, x, ...rest) as Tensor;
        macs += count(x, y);
        return y;
      },
    });
    patched.push(m);
  }
  try {
    model.eval();
    noGrad(() => model.forward(zeros([1, ...sampleShape])));
  } catch (e) {
    throw new KirchhoffError(
      "shape",
      `countMacs: model ${model.describe()} does not accept a sample of shape ${JSON.stringify(sampleShape)}: ${(e as Error).message}`,
    );
  } finally {
    for (const m of patched) delete (m as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
  return macs;
}
