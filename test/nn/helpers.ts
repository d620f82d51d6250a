/** Shared helpers for the nn tests: fixture loading and float comparisons. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** Parses fixtures/torch/<name>. */
export function torchFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/torch/${name}`, import.meta.url), "utf8")) as T;
}

/** Path of fixtures/torch/<name>. */
export function torchFixturePath(name: string): string {
  return new URL(`../../fixtures/torch/${name}`, import.meta.url).pathname;
}

/** Asserts |a − b| ≤ atol + rtol·|b| element-wise, reporting the first offending index. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { atol = 1e-6, rtol = 1e-5, what = "values" } = {},
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
