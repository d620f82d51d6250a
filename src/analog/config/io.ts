/**
 * Forward-pass periphery ("IO") parameters of an analog tile: DAC/ADC resolution and range, noise and bound
 * management, output and weight read noise, IR drop. Mirrors aihwkit 1.1.0 `IOParameters`
 * (src/aihwkit/simulator/parameters/io.py, SPEC section 5.2); values are in normalised tile units
 * (inputs in [-inpBound, inpBound] after noise management, weights in [-1, 1] after weight scaling).
 */
import { z } from "zod";
import { parseConfig } from "./parse.js";

/** Noise management: how each input vector is scaled before the DAC (SPEC 7.2). */
export const NoiseManagement = z.enum(["none", "absMax", "max", "constant"]);
export type NoiseManagement = z.infer<typeof NoiseManagement>;

/** Bound management: `iterative` re-runs an input vector with halved input while its output clips. */
export const BoundManagement = z.enum(["none", "iterative"]);
export type BoundManagement = z.infer<typeof BoundManagement>;

/** Weight read noise per forward: `pcmRead` σ = wNoise·sqrt(Σ|W_ij| v_j²), `additiveConstant` σ = wNoise·‖v‖₂. */
export const WeightNoiseType = z.enum(["none", "additiveConstant", "pcmRead"]);
export type WeightNoiseType = z.infer<typeof WeightNoiseType>;

const finite = z.number().finite();

export const IOParametersSchema = z
  .object({
    /** y = outScale·W·x exactly, no periphery effects at all. */
    isPerfect: z.boolean().default(false),
    /** DAC range in normalised units; must be 1 when noise management is on; ≤ 0 means no clipping. */
    inpBound: finite.default(1),
    /** DAC resolution: ≤ 0 off, < 1 a step fraction of the full range, > 1 a number of steps (SPEC 7.1). */
    inpRes: finite.default(1 / 126),
    /** Gaussian noise std added to every DAC output (after clipping). */
    inpNoise: finite.nonnegative().default(0),
    /** Negative DAC outputs are scaled by (1 − inpAsymmetry). */
    inpAsymmetry: finite.default(0),
    /** Negative MVM outputs are scaled by (1 − outAsymmetry), before output noise. */
    outAsymmetry: finite.default(0),
    /** ADC range in normalised units; ≤ 0 means unbounded. */
    outBound: finite.default(12),
    /** ADC resolution, same convention as inpRes. */
    outRes: finite.default(1 / 510),
    /** Additive Gaussian output noise std per output (normalised units). */
    outNoise: finite.nonnegative().default(0.06),
    /** Output scale applied after the ADC. */
    outScale: finite.default(1),
    boundManagement: BoundManagement.default("iterative"),
    /**
     * `vector`: BM re-runs only the input vectors whose outputs clipped (aihwkit C++/CUDA tiles, default).
     * `batch`: re-runs the whole batch if any output clipped (aihwkit's pure-torch tile, SPEC 8.2).
     */
    boundManagementScope: z.enum(["vector", "batch"]).default("vector"),
    noiseManagement: NoiseManagement.default("absMax"),
    /** Upper cap of the abs-max NM scale (> 0), or the constant for `constant` NM. */
    nmThres: finite.nonnegative().default(0),
    wNoise: finite.nonnegative().default(0),
    wNoiseType: WeightNoiseType.default("none"),
    /** IR-drop strength (0 = off), aihwkit `ir_drop`. */
    irDrop: finite.nonnegative().default(0),
    /** Wire-to-device conductance ratio G_wire/g_max, aihwkit `ir_drop_g_ratio` = 1/0.35/5e-6. */
    irDropGRatio: finite.positive().default(1 / 0.35 / 5e-6),
    /** Bound management stops once the reduction factor exceeds this. */
    maxBmFactor: finite.positive().default(1000),
    /** Bound management stops once red > maxBmRes / (effective DAC step). */
    maxBmRes: finite.positive().default(0.25),
    /** Also treat outputs below −outBound as clipped. */
    bmTestNegativeBound: z.boolean().default(true),
  })
  .strict()
  .superRefine((io, ctx) => {
    if (io.noiseManagement !== "none" && io.inpBound !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["inpBound"],
        message: `must be 1 when noiseManagement is "${io.noiseManagement}" (aihwkit requirement), got ${io.inpBound}`,
      });
    }
  });
export type IOParameters = z.output<typeof IOParametersSchema>;
export type IOParametersInput = z.input<typeof IOParametersSchema>;

/** Effective quantisation step for a resolution/bound pair (SPEC 7.1); 0 means "no quantisation". */
export function effectiveStep(res: number, bound: number): number {
  if (res <= 0) return 0;
  const frac = res > 1 ? Math.fround(1 / res) : Math.fround(res);
  return Math.fround(frac * Math.fround(2 * (bound > 0 ? bound : 1)));
}

/**
 * The periphery a tile actually runs: `io` itself, or for `isPerfect` (aihwkit: y = out_scale·W·x, SPEC 7.2)
 * every stage switched off: no noise or bound management, no DAC/ADC quantisation or clipping, no noise,
 * asymmetry or IR drop. The fused kernels then compute the perfect tile as an ordinary pass.
 */
export function effectivePeriphery(io: IOParameters): IOParameters {
  if (!io.isPerfect) return io;
  return {
    ...io,
    inpBound: 0,
    inpRes: 0,
    inpNoise: 0,
    inpAsymmetry: 0,
    outAsymmetry: 0,
    outBound: 0,
    outRes: 0,
    outNoise: 0,
    boundManagement: "none",
    noiseManagement: "none",
    wNoise: 0,
    wNoiseType: "none",
    irDrop: 0,
  };
}

const NM_FROM_AIHWKIT: Record<string, NoiseManagement> = {
  None: "none",
  AbsMax: "absMax",
  Max: "max",
  Constant: "constant",
};
const BM_FROM_AIHWKIT: Record<string, BoundManagement> = { None: "none", Iterative: "iterative" };
const WN_FROM_AIHWKIT: Record<string, WeightNoiseType> = {
  None: "none",
  AdditiveConstant: "additiveConstant",
  PCMRead: "pcmRead",
};

/**
 * Converts an aihwkit `IOParameters` dump (snake_case keys, enum names such as "AbsMax") into Kirchhoff IO
 * parameters, so aihwkit configurations can be reproduced exactly. `tile` picks the bound-management
 * semantics of aihwkit's C++ tile (per input vector) or of its pure-torch tile (whole batch). Unsupported non-idealities that are set
 * to non-default values are rejected by the schema rather than silently ignored.
 */
export function ioParametersFromAihwkit(
  d: Record<string, unknown>,
  tile: "cpp" | "torch" = "cpp",
): IOParameters {
  const unsupported = [
    "out_noise_std",
    "out_nonlinearity",
    "slope_calibration",
    "v_offset_std",
    "r_series",
    "w_read_asymmetry_dtod",
  ];
  const bad = unsupported.filter((k) => typeof d[k] === "number" && d[k] !== 0);
  const sto = ["inp_sto_round", "out_sto_round"].filter((k) => d[k] === true);
  const input: Record<string, unknown> = {
    isPerfect: d.is_perfect,
    inpBound: d.inp_bound,
    inpRes: d.inp_res,
    inpNoise: d.inp_noise,
    inpAsymmetry: d.inp_asymmetry,
    outAsymmetry: d.out_asymmetry,
    outBound: d.out_bound,
    outRes: d.out_res,
    outNoise: d.out_noise,
    outScale: d.out_scale,
    boundManagement: BM_FROM_AIHWKIT[String(d.bound_management)] ?? d.bound_management,
    boundManagementScope: tile === "torch" ? "batch" : "vector",
    noiseManagement: NM_FROM_AIHWKIT[String(d.noise_management)] ?? d.noise_management,
    nmThres: d.nm_thres,
    wNoise: d.w_noise,
    wNoiseType: WN_FROM_AIHWKIT[String(d.w_noise_type)] ?? d.w_noise_type,
    irDrop: d.ir_drop,
    irDropGRatio: d.ir_drop_g_ratio,
    maxBmFactor: d.max_bm_factor,
    maxBmRes: d.max_bm_res,
    bmTestNegativeBound: d.bm_test_negative_bound,
  };
  for (const k of [...bad, ...sto]) input[k] = d[k]; // rejected by .strict() with a clear message
  return parseConfig(IOParametersSchema, input, "aihwkit IOParameters");
}
