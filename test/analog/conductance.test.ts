/**
 * PCM device statistics against aihwkit: closed-form parameters exactly, and Monte-Carlo moments of
 * programmed / drifted conductances (mc_conductance) and of drift exponents within their standard errors.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { NoiseModel } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { assertMoments, type Json, Moments, oracle, timeKeySeconds } from "./oracle.js";

const model = () => new NoiseModel({ type: "pcm", ...pcmConstants() } as never);
function pcmConstants() {
  const c = oracle().constants;
  return {
    gMaxMicroSiemens: c.g_max_uS,
    t0Sec: c.t0_s,
    tReadSec: c.t_read_s,
    progCoeff: c.prog_coeff,
    progCoeffGMaxReferenceMicroSiemens: c.prog_coeff_g_max_reference,
    progNoiseScale: 1,
    readNoiseScale: 1,
    driftScale: 1,
  };
}
const close = (got: number, want: number, tol: number, label: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${label}: got ${got}, aihwkit ${want}`);

test("closed_form: σ_prog, ν parameters, q_s and the 1/f time factor match to 1e-5", () => {
  const p = model().physics!;
  const cf = oracle().closed_form;
  for (const [key, f] of Object.entries<number>(cf.read_noise_time_factor)) {
    const t = timeKeySeconds(key) + p.t0Sec;
    close(Math.sqrt(Math.log((t + p.tReadSec) / (2 * p.tReadSec))), f, 1e-5, `time factor ${key}`);
  }
  for (const row of cf.table as Json[]) {
    const g = row.g_target_uS;
    close(p.progSigma(g), row.sigma_prog_uS, 1e-5, `σ_prog(${g})`);
    close(p.nuMean(g), row.nu_mu_param, 1e-5, `μ_ν(${g})`);
    close(p.nuStd(g), row.nu_sigma_param, 1e-5, `σ_ν(${g})`);
    close(p.readQs(g), row.q_s_at_g, 1e-5, `q_s(${g})`);
  }
});

test("closed_form: Monte-Carlo of our device matches the folded-normal ν and drift-factor moments", () => {
  const nm = model();
  const cf = oracle().closed_form;
  const n = 100000;
  for (const row of cf.table as Json[]) {
    const gT = new Float32Array(n).fill(row.g_target_uS);
    const nu = nm.driftExponents(gT, new Rng(11));
    const mom = new Moments(1);
    mom.addSamples(0, nu);
    // closed-form values are exact: only our MC error counts (nOracle = ∞)
    assertMoments(
      `ν(${row.g_target_uS})`,
      mom,
      0,
      row.nu_mean_folded,
      row.nu_std_folded,
      Number.POSITIVE_INFINITY,
    );
    const prog = nm.programConductances(gT, new Rng(12));
    const pm = new Moments(1);
    pm.addSamples(0, prog);
    assertMoments(
      `g_prog(${row.g_target_uS})`,
      pm,
      0,
      row.g_prog_mean_uS_clamped_normal,
      row.g_prog_std_uS_clamped_normal,
      Number.POSITIVE_INFINITY,
    );
    for (const key of Object.keys(row.drift_factor_mean)) {
      const t = timeKeySeconds(key);
      const df = new Moments(1);
      const logR = Math.log((t + nm.physics!.t0Sec) / nm.physics!.t0Sec);
      for (let i = 0; i < n; i++) df.addOne(0, t > 0 ? Math.exp(-nu[i]! * logR) : 1);
      assertMoments(
        `drift factor(${row.g_target_uS}, ${key})`,
        df,
        0,
        row.drift_factor_mean[key],
        row.drift_factor_std[key],
        Number.POSITIVE_INFINITY,
      );
    }
  }
});

test("mc_conductance: programmed and drifted conductance moments at every target and time", () => {
  const nm = model();
  const mc = oracle().mc_conductance;
  const nOracle = oracle().meta.n_cond;
  const n = 100000;
  for (const row of mc.rows as Json[]) {
    const g = row.g_target_uS;
    const gT = new Float32Array(n).fill(g);
    const rng = new Rng(100 + Math.round(g * 10));
    const prog = nm.programConductances(gT, rng);
    const nu = nm.driftExponents(gT, rng);
    const pm = new Moments(2);
    pm.addSamples(0, prog);
    for (let i = 0; i < n; i++) pm.addOne(1, nu[i]!);
    assertMoments(`g_prog(${g})`, pm, 0, row.g_prog_mean, row.g_prog_std, nOracle);
    assertMoments(`ν(${g})`, pm, 1, row.nu_mean, row.nu_std, nOracle);
    for (const [key, st] of Object.entries<Json>(row.g_t)) {
      const gt = nm.driftConductances(prog, nu, timeKeySeconds(key), rng);
      const m = new Moments(1);
      m.addSamples(0, gt);
      assertMoments(`g(${g} µS, ${key})`, m, 0, st.mean, st.std, nOracle);
    }
  }
});
