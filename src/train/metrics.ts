/** Per-epoch training records and running averages. */

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Percent. */
  trainAccuracy: number;
  valLoss: number | null;
  /** Percent. */
  valAccuracy: number | null;
  lr: number;
  seconds: number;
}

/** Sample-weighted running mean of loss and accuracy over batches. */
export class RunningMetrics {
  private lossSum = 0;
  private correct = 0;
  private count = 0;

  /** loss: mean loss of the batch; accuracy: fraction correct in [0, 1]; n: batch size. */
  add(loss: number, accuracy: number, n: number): void {
    this.lossSum += loss * n;
    this.correct += accuracy * n;
    this.count += n;
  }

  get samples(): number {
    return this.count;
  }

  get loss(): number {
    return this.count ? this.lossSum / this.count : Number.NaN;
  }

  /** Percent. */
  get accuracy(): number {
    return this.count ? (100 * this.correct) / this.count : Number.NaN;
  }
}
