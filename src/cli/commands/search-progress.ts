/** Progress of `kirchhoff search` on stderr: a cli-progress bar on a TTY, else a line every N trials. */
import cliProgress from "cli-progress";

export class SearchProgress {
  private bar: cliProgress.SingleBar | null = null;
  private best = Number.NaN;
  private last = 0;

  constructor(
    private readonly total: number,
    private readonly every: number,
    /** Direction of the first objective, for the "best" shown. */
    private readonly maximize = true,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  /** `done` trials already in the journal, `best` their best first-objective value. */
  start(done: number, best?: number): void {
    this.last = done;
    if (best !== undefined) this.best = best;
    if (done > 0) process.stderr.write(`${done} trials already in the journal\n`);
    if (!this.tty) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: "search [{bar}] {value}/{total} trials | best {best}",
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.total, Math.min(done, this.total), {
      best: Number.isNaN(this.best) ? "-" : this.best.toFixed(3),
    });
  }

  /** One newly charged trial; `value` is its first objective value (undefined if it failed). */
  update(charged: number, value: number | undefined): void {
    if (
      value !== undefined &&
      (Number.isNaN(this.best) || (this.maximize ? value > this.best : value < this.best))
    ) {
      this.best = value;
    }
    const best = Number.isNaN(this.best) ? "-" : this.best.toFixed(3);
    if (this.bar) {
      this.bar.update(Math.min(charged, this.total), { best });
      return;
    }
    if (charged - this.last >= this.every || charged >= this.total) {
      this.last = charged;
      process.stderr.write(`trial ${charged}/${this.total}  best ${best}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
