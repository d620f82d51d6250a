/** Error messages name the bad value the way a user wrote it, and never dump a large one. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configError, describeValue, shapeError } from "../../src/core/index.js";

test("describeValue: numbers as written, short arrays inline, large values by size", () => {
  const cases: [unknown, string][] = [
    [Number.NaN, "NaN"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
    [2.5, "2.5"],
    [undefined, "undefined"],
    [null, "null"],
    [10n, "10n"],
    ["fast", '"fast"'],
    ["x".repeat(500), `"${"x".repeat(120)}…"`],
    [[2, 3], "[2,3]"],
    [[2, Number.NaN], "[2,NaN]"],
    [[[1, 2], [3]], "[[1,2],[3]]"],
    [new Array(17).fill(0), "an array of 17"],
    [new Float32Array(1000), "a Float32Array of 1000"],
    [{ type: "pcm", gMax: 25 }, "an object with keys type, gMax"],
    [{}, "an empty object"],
    [() => 1, "a function"],
  ];
  for (const [v, want] of cases) assert.equal(describeValue(v), want);
});

test("configError and shapeError show values with describeValue", () => {
  assert.equal(
    configError("t", "a finite time", Number.NaN, "drift").message,
    "drift: t: expected a finite time, got NaN",
  );
  assert.equal(
    configError("tensor: data", "an array of numbers", new Float64Array(1e6)).message,
    "tensor: data: expected an array of numbers, got a Float64Array of 1000000",
  );
  assert.equal(
    shapeError("matmul", "inner dims", [2, 3], [4, 5]).message,
    "matmul: inner dims: expected [2,3], got [4,5]",
  );
});
