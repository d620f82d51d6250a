/**
 * Grows one depth-limited regression tree on histogram-binned data (XGBoost's exact-gain formula on
 * per-bin gradient sums, Chen & Guestrin 2016, eqs. 6-7): a split (GL,HL | GR,HR) is kept when
 * 0.5·[GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ)] − γ > 0 and both sides have hessian >= minChildWeight;
 * leaves output −η·G/(H+λ). Rows with a missing (NaN) feature try both sides and keep the better one.
 */
import type { FeatureBins } from "./binning.js";
import type { TreeArrays } from "./tree-ensemble.js";

export interface TreeParams {
  maxDepth: number;
  minChildWeight: number;
  /** L2 regularisation λ on leaf weights. */
  lambda: number;
  /** Minimum split gain γ (XGBoost gamma / min_split_loss). */
  gamma: number;
  /** Shrinkage η applied to leaf values. */
  learningRate: number;
}

/** A grown tree plus, per split node, the last bin index that goes left (for walking binned rows). */
export interface GrownTree {
  tree: TreeArrays;
  splitBin: Int32Array;
}

/** Binned training rows: bins[f * n + i] with n rows. */
export interface BinnedRows {
  bins: Uint16Array;
  n: number;
  edges: FeatureBins;
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
}

/** Grows a tree on `rows` (row indices; reordered in place) using only `features`. */
export function growTree(
  data: BinnedRows,
  g: Float64Array,
  h: Float64Array,
  rows: Int32Array,
  features: Int32Array,
  p: TreeParams,
): GrownTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const defaultLeft: number[] = [];
  const value: number[] = [];
  const splitBin: number[] = [];
  let maxBins = 0;
  for (const f of features) maxBins = Math.max(maxBins, data.edges.numBins(f) + 1);
  const hg = new Float64Array(maxBins);
  const hh = new Float64Array(maxBins);
  const { bins, n } = data;

  const findSplit = (start: number, end: number, G: number, H: number): Split | null => {
    let best: Split | null = null;
    const parentScore = (G * G) / (H + p.lambda);
    for (const f of features) {
      const nb = data.edges.numBins(f);
      if (nb < 2) continue;
      hg.fill(0, 0, nb + 1);
      hh.fill(0, 0, nb + 1);
      const off = f * n;
      for (let k = start; k < end; k++) {
        const i = rows[k]!;
        const b = bins[off + i]!;
        hg[b]! += g[i]!;
        hh[b]! += h[i]!;
      }
      const GM = hg[nb]!;
      const HM = hh[nb]!;
      let GL = 0;
      let HL = 0;
      for (let b = 0; b < nb - 1; b++) {
        GL += hg[b]!;
        HL += hh[b]!;
        for (let dir = 0; dir < (HM > 0 ? 2 : 1); dir++) {
          const gl = dir === 1 ? GL + GM : GL;
          const hl = dir === 1 ? HL + HM : HL;
          const gr = G - gl;
          const hr = H - hl;
          if (hl < p.minChildWeight || hr < p.minChildWeight) continue;
          const gain =
            0.5 * ((gl * gl) / (hl + p.lambda) + (gr * gr) / (hr + p.lambda) - parentScore) - p.gamma;
          if (gain > 0 && (best === null || gain > best.gain))
            best = { gain, feature: f, bin: b, defaultLeft: dir === 1 };
        }
      }
    }
    return best;
  };

  const build = (start: number, end: number, depth: number): number => {
    let G = 0;
    let H = 0;
    for (let k = start; k < end; k++) {
      G += g[rows[k]!]!;
      H += h[rows[k]!]!;
    }
    const id = left.length;
    feature.push(0);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    defaultLeft.push(0);
    value.push((-G / (H + p.lambda)) * p.learningRate);
    splitBin.push(-1);
    if (depth >= p.maxDepth || end - start < 2 || H < 2 * p.minChildWeight) return id;
    const s = findSplit(start, end, G, H);
    if (s === null) return id;
    // Partition rows[start, end): left side first.
    const off = s.feature * n;
    const missingBin = data.edges.numBins(s.feature);
    let mid = start;
    for (let k = start; k < end; k++) {
      const i = rows[k]!;
      const b = bins[off + i]!;
      const goLeft = b === missingBin ? s.defaultLeft : b <= s.bin;
      if (goLeft) {
        rows[k] = rows[mid]!;
        rows[mid++] = i;
      }
    }
    feature[id] = s.feature;
    threshold[id] = data.edges.borders[s.feature]![s.bin]!;
    defaultLeft[id] = s.defaultLeft ? 1 : 0;
    splitBin[id] = s.bin;
    left[id] = build(start, mid, depth + 1);
    right[id] = build(mid, end, depth + 1);
    value[id] = 0;
    return id;
  };
  build(0, rows.length, 0);
  return {
    tree: {
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      defaultLeft: Uint8Array.from(defaultLeft),
      value: Float64Array.from(value),
    },
    splitBin: Int32Array.from(splitBin),
  };
}

/** Leaf value of binned training row i (same decisions as the float walk on the training data). */
export function binnedLeafValue(t: GrownTree, data: BinnedRows, i: number): number {
  const { tree, splitBin } = t;
  let node = 0;
  while (tree.left[node] !== -1) {
    const f = tree.feature[node]!;
    const b = data.bins[f * data.n + i]!;
    const goLeft = b === data.edges.numBins(f) ? tree.defaultLeft[node] === 1 : b <= splitBin[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}
