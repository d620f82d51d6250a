/** Evaluation of a classifier on a data loader (eval mode, no gradients). */
import { KirchhoffError } from "../core/index.js";
import type { DataLoader } from "../data/index.js";
import type { AnyModule } from "../nn/index.js";
import { accuracy, crossEntropy, noGrad, tensor } from "../tensor/index.js";
import { RunningMetrics } from "./metrics.js";

export interface EvalResult {
  loss: number;
  /** Percent. */
  accuracy: number;
  samples: number;
}

/** Mean cross-entropy and accuracy of `model` over every batch of one pass of `loader`. */
export function evaluateClassifier(model: AnyModule, loader: DataLoader): EvalResult {
  if (loader.size === 0)
    throw new KirchhoffError("data", `evaluate: dataset ${loader.dataset.name} is empty`);
  const wasTraining = model.training;
  model.eval();
  const m = new RunningMetrics();
  try {
    noGrad(() => {
      for (const b of loader.epoch(0)) {
        const logits = model.forward(tensor(b.x, b.shape));
        m.add(crossEntropy(logits, b.y).item(), accuracy(logits, b.y), b.y.length);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: m.loss, accuracy: m.accuracy, samples: m.samples };
}
