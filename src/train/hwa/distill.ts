/**
 * Knowledge distillation from the digital model (Hinton et al., "Distilling the Knowledge in a Neural
 * Network", arXiv 1503.02531): loss = (1 − α)·CE(student, labels) + α·T²·KL(softmax(t/T) ‖ softmax(s/T)),
 * KL averaged over the batch. The teacher's logits are constants (no gradient).
 */
import {
  crossEntropy,
  logSoftmax,
  mean,
  mul,
  scale,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../../tensor/index.js";

/** KL(p_teacher ‖ p_student) on temperature-softened logits, mean over the batch. */
export function distillKl(studentLogits: Tensor, teacherLogits: Float32Array, temperature: number): Tensor {
  const [n, k] = [studentLogits.shape[0]!, studentLogits.shape[1]!];
  const logPs = logSoftmax(scale(studentLogits, 1 / temperature), -1);
  // Teacher log-probabilities and probabilities, computed in float64 for stability.
  const logPt = new Float32Array(n * k);
  const pt = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) m = Math.max(m, teacherLogits[r * k + c]! / temperature);
    let z = 0;
    for (let c = 0; c < k; c++) z += Math.exp(teacherLogits[r * k + c]! / temperature - m);
    const lz = Math.log(z) + m;
    for (let c = 0; c < k; c++) {
      const lp = teacherLogits[r * k + c]! / temperature - lz;
      logPt[r * k + c] = lp;
      pt[r * k + c] = Math.exp(lp);
    }
  }
  const ptT = tensor(pt, [n, k]);
  const perRow = sum(mul(ptT, sub(tensor(logPt, [n, k]), logPs)), [1]);
  return mean(perRow);
}

/** (1 − α)·CE + α·T²·KL. */
export function distillationLoss(
  studentLogits: Tensor,
  labels: Int32Array,
  teacherLogits: Float32Array,
  opts: { temperature: number; alpha: number },
): Tensor {
  const ce = crossEntropy(studentLogits, labels);
  if (opts.alpha === 0) return ce;
  const kl = distillKl(studentLogits, teacherLogits, opts.temperature);
  const t2 = opts.temperature * opts.temperature;
  return sub(scale(ce, 1 - opts.alpha), scale(kl, -opts.alpha * t2));
}
