/** "Did you mean" helpers for unknown table keys and metric names. */

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** Up to `k` candidates closest to `query`, comma-separated (for error messages). */
export function closeMatches(query: string, candidates: Iterable<string>, k = 3): string {
  const scored: [number, string][] = [];
  for (const c of candidates) scored.push([editDistance(query, c), c]);
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  return scored
    .slice(0, k)
    .map(([, c]) => c)
    .join(", ");
}
