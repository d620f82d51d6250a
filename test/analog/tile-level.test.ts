/**
 * Full tile flow against aihwkit (every tile_level_* section): program → drift(t) → global drift
 * compensation alpha through the one-hot readout with the section's IO, compensated weights and errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AnalogTileArray, analogConfig, ioParametersFromAihwkit } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { assertMoments, type Json, Moments, oracle, timeKeySeconds } from "./oracle.js";

const sections = Object.keys(oracle()).filter((k) => k.startsWith("tile_level"));

/**
 * IO parameters from the section's config text, e.g. "TorchInferenceRPUConfig(forward=IOParameters(
 * is_perfect=True))": aihwkit defaults overridden by every `name=value` inside IOParameters(...).
 */
function forwardFromConfigText(text: string, torch: boolean) {
  const d: Record<string, unknown> = {
    is_perfect: false,
    inp_bound: 1,
    inp_res: 1 / 126,
    out_bound: 12,
    out_res: 1 / 510,
    out_noise: 0.06,
    out_scale: 1,
    bound_management: "Iterative",
    noise_management: "AbsMax",
    nm_thres: 0,
    w_noise: 0,
    w_noise_type: "None",
    ir_drop: 0,
    ir_drop_g_ratio: 1 / 0.35 / 5e-6,
    max_bm_factor: 1000,
    max_bm_res: 0.25,
    bm_test_negative_bound: true,
  };
  const io = /IOParameters\(([^)]*)\)/.exec(text)?.[1] ?? "";
  for (const m of io.matchAll(/(\w+)\s*=\s*([^,\s)]+)/g)) {
    const raw = m[2]!;
    d[m[1]!] =
      raw === "True"
        ? true
        : raw === "False"
          ? false
          : Number.isNaN(Number(raw))
            ? raw.replace(/^.*\./, "")
            : Number(raw);
  }
  return ioParametersFromAihwkit(d, torch ? "torch" : "cpp");
}

for (const name of sections) {
  test(`${name}: alpha, drifted and compensated weights at every time`, () => {
    const o = oracle();
    const sec = o[name];
    const cfgText = String(sec.config);
    const torch = cfgText.includes("Torch");
    const W = new Float32Array((o.W as number[][]).flat());
    const [M, K] = [o.W.length, o.W[0].length];
    const E = W.length;
    const nOracle: number = sec.n ?? o.meta.n_tile_reps;
    const cfg = analogConfig({
      forward: sec.io
        ? ioParametersFromAihwkit(sec.io, torch ? "torch" : "cpp")
        : forwardFromConfigText(cfgText, torch),
    });
    const arr = new AnalogTileArray(M, K, cfg);
    arr.setWeights(W);
    const tile = arr.tiles[0]![0]!;
    const times = Object.keys(sec.t);
    const n = 3000;
    const rng = new Rng(77);
    const base = new Moments(1);
    const alpha = times.map(() => new Moments(1));
    const drifted = times.map(() => new Moments(E));
    const comp = times.map(() => new Moments(E));
    const summary = times.map(() => new Moments(2)); // squared error, mean-abs ratio
    const meanAbsW = W.reduce((a, v) => a + Math.abs(v), 0) / E;
    for (let r = 0; r < n; r++) {
      tile.program(rng);
      base.addOne(0, tile.driftBaseline![0]!);
      times.forEach((key, k) => {
        tile.drift(timeKeySeconds(key), rng);
        const a = tile.alpha[0]!;
        alpha[k]!.addOne(0, a);
        drifted[k]!.add(tile.weights);
        const c = tile.weights.map((v) => v * a);
        comp[k]!.add(c);
        let q = 0;
        let ab = 0;
        for (let i = 0; i < E; i++) {
          q += (c[i]! - W[i]!) ** 2;
          ab += Math.abs(c[i]!);
        }
        summary[k]!.add([q / E, ab / E / meanAbsW]);
      });
    }
    if (sec.baseline)
      assertMoments(`${name} baseline`, base, 0, sec.baseline.mean, sec.baseline.std, nOracle);
    times.forEach((key, k) => {
      const st: Json = sec.t[key];
      assertMoments(`${name} ${key} alpha`, alpha[k]!, 0, st.alpha_mean, st.alpha_std, nOracle);
      for (let i = 0; i < E; i++) {
        const [row, col] = [Math.floor(i / K), i % K];
        if (st.drifted_mean) {
          assertMoments(
            `${name} ${key} drifted[${row}][${col}]`,
            drifted[k]!,
            i,
            st.drifted_mean[row][col],
            st.drifted_std[row][col],
            nOracle,
          );
        }
        assertMoments(
          `${name} ${key} compensated[${row}][${col}]`,
          comp[k]!,
          i,
          st.compensated_mean[row][col],
          st.compensated_std[row][col],
          nOracle,
        );
      }
      const mse = summary[k]!;
      const rms = Math.sqrt(mse.mean(0));
      const se = (mse.std(0) * Math.sqrt(1 / n + 1 / nOracle)) / (2 * rms);
      assert.ok(
        Math.abs(rms - st.compensated_rms_error_vs_W) <= 5 * se,
        `${name} ${key} rms: ${rms} vs ${st.compensated_rms_error_vs_W}`,
      );
      if (st.compensated_mean_abs_ratio !== undefined) {
        assertMoments(
          `${name} ${key} mean-abs ratio`,
          mse,
          1,
          st.compensated_mean_abs_ratio,
          undefined,
          nOracle,
        );
      }
    });
  });
}
