/**
 * Weight-level PCM statistics against aihwkit (weight_level): per-element mean/std of programmed and drifted
 * weights of the oracle's W at every time in the file, and the summary ratios and errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { NoiseModel, NoiseModelSchema } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { assertMoments, type Json, Moments, oracle, timeKeySeconds } from "./oracle.js";

test("weight_level: programmed and drifted weights, every element and time", () => {
  const o = oracle();
  const wl = o.weight_level;
  const W = new Float32Array((o.W as number[][]).flat());
  const E = W.length;
  const nOracle: number = o.meta.n_weight_reps;
  const c = o.constants;
  const nm = new NoiseModel(
    NoiseModelSchema.parse({
      type: "pcm",
      gMaxMicroSiemens: c.g_max_uS,
      t0Sec: c.t0_s,
      tReadSec: c.t_read_s,
      progCoeff: c.prog_coeff,
      progCoeffGMaxReferenceMicroSiemens: c.prog_coeff_g_max_reference,
    }),
  );
  const times = Object.keys(wl.drifted);
  assert.ok(times.length > 0);
  const n = 8000;
  const rng = new Rng(2024);
  const prog = new Moments(E);
  const progSummary = new Moments(3); // mean |e|, e², mean|W_prog|
  const drifted = times.map(() => new Moments(E));
  const summary = times.map(() => new Moments(3)); // ratio, mse, mse after exact compensation
  const meanAbsW = W.reduce((a, v) => a + Math.abs(v), 0) / E;
  const meanAbs = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length;
  for (let r = 0; r < n; r++) {
    const p = nm.program(W, rng);
    prog.add(p.wProg);
    let e1 = 0;
    let e2 = 0;
    for (let i = 0; i < E; i++) {
      e1 += Math.abs(p.wProg[i]! - W[i]!);
      e2 += (p.wProg[i]! - W[i]!) ** 2;
    }
    progSummary.add([e1 / E, e2 / E, meanAbs(p.wProg)]);
    const progAbs = meanAbs(p.wProg);
    times.forEach((key, k) => {
      const wt = nm.drift(p, timeKeySeconds(key), rng);
      drifted[k]!.add(wt);
      const a = meanAbs(wt);
      const alpha = progAbs / a; // exact global compensation: programmed vs drifted mean |W|
      let q = 0;
      let cq = 0;
      for (let i = 0; i < E; i++) {
        q += (wt[i]! - W[i]!) ** 2;
        cq += (alpha * wt[i]! - W[i]!) ** 2;
      }
      summary[k]!.add([a / meanAbsW, q / E, cq / E]);
    });
  }
  for (let i = 0; i < E; i++) {
    const [row, col] = [Math.floor(i / 16), i % 16];
    const at = (m: Json) => m[row][col];
    assertMoments(
      `programmed[${row}][${col}]`,
      prog,
      i,
      at(wl.programmed.mean),
      at(wl.programmed.std),
      nOracle,
    );
    times.forEach((key, k) => {
      const d = wl.drifted[key];
      assertMoments(`drifted ${key}[${row}][${col}]`, drifted[k]!, i, at(d.mean), at(d.std), nOracle);
    });
  }
  const s = wl.summary;
  assertMoments("programmed mean_abs_error", progSummary, 0, s.programmed.mean_abs_error, undefined, nOracle);
  assertMoments(
    "programmed mean_of_mean_abs_w",
    progSummary,
    2,
    s.programmed.mean_of_mean_abs_w,
    undefined,
    nOracle,
  );
  const rmsClose = (mom: Moments, i: number, want: number, label: string) => {
    // rms = sqrt(mean MSE); delta method for its standard error
    const rms = Math.sqrt(mom.mean(i));
    const se = (mom.std(i) * Math.sqrt(1 / n + 1 / nOracle)) / (2 * rms);
    assert.ok(Math.abs(rms - want) <= 5 * se, `${label}: got ${rms}, aihwkit ${want} (se ${se})`);
  };
  rmsClose(progSummary, 1, s.programmed.rms_error, "programmed rms_error");
  times.forEach((key, k) => {
    const sk = s[key];
    if (!sk) return;
    assertMoments(
      `${key} mean_abs_w_ratio`,
      summary[k]!,
      0,
      sk.mean_abs_w_ratio_mean,
      sk.mean_abs_w_ratio_std,
      nOracle,
    );
    rmsClose(summary[k]!, 1, sk.rms_error_vs_W, `${key} rms_error_vs_W`);
    rmsClose(
      summary[k]!,
      2,
      sk.rms_error_vs_W_after_exact_global_comp,
      `${key} rms after exact compensation`,
    );
  });
});
