/**
 * Custom differentiable ops for layers outside src/tensor (e.g. straight-through quantisers and analog
 * noise in src/analog): the caller computes the forward result and supplies the backward rule.
 */
import { configError, shapeError } from "../core/index.js";
import { checkShape, shapeSize } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";

/**
 * Wraps a forward result as a tape op. `backward(gradOut)` returns one gradient per input (same length as
 * that input's data), or null for inputs that get none; it must not modify `gradOut` nor keep a reference to
 * it after returning (the engine recycles gradient buffers), but may return it unchanged.
 */
export function customOp(
  name: string,
  inputs: Tensor[],
  outData: Float32Array,
  outShape: readonly number[],
  backward: (gradOut: Float32Array) => (Float32Array | null)[],
): Tensor {
  checkShape(name, outShape);
  if (!(outData instanceof Float32Array))
    throw configError(`${name}: outData`, "a Float32Array", typeof outData);
  if (outData.length !== shapeSize(outShape))
    throw shapeError(name, "output data length", shapeSize(outShape), outData.length);
  return fromOp(name, outData, outShape, inputs, (g) => {
    const grads = backward(g);
    if (!Array.isArray(grads) || grads.length !== inputs.length) {
      throw shapeError(`${name} backward`, "number of returned gradients", inputs.length, grads?.length);
    }
    for (let i = 0; i < grads.length; i++) {
      const gi = grads[i];
      if (gi && gi.length !== inputs[i]!.size)
        throw shapeError(`${name} backward`, `gradient length of input ${i}`, inputs[i]!.size, gi.length);
    }
    return grads;
  });
}
