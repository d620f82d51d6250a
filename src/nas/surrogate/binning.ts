/**
 * Quantile histogram bins for gradient-boosted trees (the "hist" method of XGBoost/LightGBM): each feature's
 * values are cut into at most maxBins bins of about equal row count; splits are only searched at bin borders.
 * Border values are midpoints between neighbouring distinct training values, so `x < border` decides the
 * side for unseen values too. NaN goes to an extra "missing" bin (index = number of bins).
 */
import { KirchhoffError } from "../../core/index.js";
import type { FeatureMatrix } from "./types.js";

export class FeatureBins {
  /** Per feature, ascending borders; bin b holds borders[b-1] <= x < borders[b]. Bins = borders.length + 1. */
  readonly borders: Float64Array[];

  private constructor(borders: Float64Array[]) {
    this.borders = borders;
  }

  /** Builds borders from the columns of X (n × d). */
  static fromData(X: FeatureMatrix, maxBins: number): FeatureBins {
    if (!(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 65535)) {
      throw new KirchhoffError("config", `maxBins: expected an integer in 2..65535, got ${maxBins}`);
    }
    const n = X.length;
    const d = X[0]!.length;
    const borders: Float64Array[] = [];
    const col = new Float64Array(n);
    for (let f = 0; f < d; f++) {
      let m = 0;
      for (let i = 0; i < n; i++) {
        const v = X[i]![f]!;
        if (!Number.isNaN(v)) col[m++] = v;
      }
      const sorted = col.subarray(0, m).slice().sort();
      // Distinct values and their counts.
      const vals: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < m; i++) {
        if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]!++;
        else {
          vals.push(sorted[i]!);
          counts.push(1);
        }
      }
      const b: number[] = [];
      if (vals.length <= maxBins) {
        for (let i = 1; i < vals.length; i++) b.push(midpoint(vals[i - 1]!, vals[i]!));
      } else {
        // Greedy equal-count grouping of distinct values.
        const target = m / maxBins;
        let acc = 0;
        for (let i = 0; i < vals.length - 1; i++) {
          acc += counts[i]!;
          if (acc >= target * (b.length + 1) && b.length < maxBins - 1)
            b.push(midpoint(vals[i]!, vals[i + 1]!));
        }
      }
      borders.push(Float64Array.from(b));
    }
    return new FeatureBins(borders);
  }

  /** Number of value bins of feature f (the missing bin has index numBins(f)). */
  numBins(f: number): number {
    return this.borders[f]!.length + 1;
  }

  /** Bin of value x for feature f. */
  binOf(f: number, x: number): number {
    const b = this.borders[f]!;
    if (Number.isNaN(x)) return b.length + 1;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < b[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Feature-major binned copy of X: bins[f * n + i]. */
  binMatrix(X: FeatureMatrix): Uint16Array {
    const n = X.length;
    const d = this.borders.length;
    const out = new Uint16Array(n * d);
    for (let f = 0; f < d; f++) {
      for (let i = 0; i < n; i++) out[f * n + i] = this.binOf(f, X[i]![f]!);
    }
    return out;
  }
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // Guard against rounding onto a (then a < m would be false and a would go right).
  return m > a ? m : b;
}
