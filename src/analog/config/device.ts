/**
 * Device-level configuration: weight↔conductance converters, conductance noise models and drift
 * compensation (aihwkit 1.1.0 `inference/converter`, `inference/noise`, `inference/compensation`; SPEC
 * sections 1–3). Conductances are in µS, times in seconds.
 */
import { z } from "zod";

const gMicroSiemens = z.number().finite().nonnegative();
const positive = z.number().finite().positive();

/** Single differential pair (aihwkit default): tile abs-max ↦ gMax, the other device at gMin. */
export const SinglePairConverterSchema = z
  .object({
    type: z.literal("singlePair"),
    gMaxMicroSiemens: positive.default(25),
    gMinMicroSiemens: gMicroSiemens.default(0),
  })
  .strict();
/** N differential pairs with significance factors f_k, filled from the lowest significance up (SPEC 1.2). */
export const NPairConverterSchema = z
  .object({
    type: z.literal("nPair"),
    significance: z.array(positive).min(1),
    gMaxMicroSiemens: positive.default(25),
    gMinMicroSiemens: gMicroSiemens.default(0),
  })
  .strict();
/** One device per weight: affine map of [min W, max W] onto [gMin, gMax] (ReRAM CMO default 9–88.2 µS). */
export const SingleDeviceConverterSchema = z
  .object({
    type: z.literal("singleDevice"),
    gMaxMicroSiemens: positive.default(88.199997),
    gMinMicroSiemens: gMicroSiemens.default(9),
  })
  .strict();
export const ConverterSchema = z
  .discriminatedUnion("type", [SinglePairConverterSchema, NPairConverterSchema, SingleDeviceConverterSchema])
  .refine((c) => c.gMaxMicroSiemens > c.gMinMicroSiemens, {
    message: "gMaxMicroSiemens must exceed gMinMicroSiemens",
  });
export type ConverterConfig = z.output<typeof ConverterSchema>;

/** Scales shared by all PCM-like models (aihwkit prog_noise_scale, read_noise_scale, drift_scale). */
const scales = {
  progNoiseScale: z.number().finite().nonnegative().default(1),
  readNoiseScale: z.number().finite().nonnegative().default(1),
  driftScale: z.number().finite().nonnegative().default(1),
};

/** aihwkit PCMLikeNoiseModel (Nandakumar et al., ICECS 2019), SPEC section 2. */
export const PcmNoiseSchema = z
  .object({
    type: z.literal("pcm"),
    gMaxMicroSiemens: positive.default(25),
    /** σ_prog polynomial coefficients in µS, lowest order first, in x = g_T/g_max. */
    progCoeff: z.array(z.number().finite()).min(1).default([0.26348, 1.965, -1.1731]),
    /** g_max (µS) at which progCoeff were fitted; σ_prog is scaled by g_max / this. */
    progCoeffGMaxReferenceMicroSiemens: positive.default(25),
    t0Sec: positive.default(20),
    tReadSec: positive.default(250e-9),
    ...scales,
  })
  .strict();

/** aihwkit HermesNoiseModel: fits on the IBM HERMES chip with 1 or 2 PCM devices per polarity (SPEC 2.8). */
export const HermesNoiseSchema = z
  .object({
    type: z.literal("hermes"),
    numDevices: z
      .union([z.literal(1), z.literal(2)], { error: "expected 1 or 2 devices per polarity" })
      .default(2),
    /** Defaults to 20.7 µS (2 devices) or 10.35 µS (1 device). */
    gMaxMicroSiemens: positive.optional(),
    /** Defaults to 300 s (2 devices) or 200 s (1 device). */
    t0Sec: positive.optional(),
    tReadSec: positive.default(512e-9),
    ...scales,
  })
  .strict();

/** Piecewise-linear table over conductance (µS), like numpy.interp (clamped at the ends). */
const TableSchema = z
  .object({
    gMicroSiemens: z.array(gMicroSiemens).min(1),
    values: z.array(z.number().finite().nonnegative()).min(1),
  })
  .strict()
  .refine((t) => t.gMicroSiemens.length === t.values.length, {
    message: "gMicroSiemens and values must have the same length",
  })
  .refine((t) => t.gMicroSiemens.every((g, i) => i === 0 || g > t.gMicroSiemens[i - 1]!), {
    message: "gMicroSiemens must be strictly increasing",
  });
export type ConductanceTable = z.output<typeof TableSchema>;

/**
 * A user-parametrised PCM-like device (generalises aihwkit CustomDriftPCMLikeNoiseModel): programming-noise
 * polynomial, drift-exponent mean/std tables over target conductance, and a 1/f read-noise coefficient q_s
 * table over programmed conductance. Everything else follows the PCM flow of SPEC 2.4.
 */
export const GenericNoiseSchema = z
  .object({
    type: z.literal("generic"),
    gMaxMicroSiemens: positive,
    progCoeff: z.array(z.number().finite()).min(1),
    progCoeffGMaxReferenceMicroSiemens: positive.optional(),
    nuMean: TableSchema,
    nuStd: TableSchema,
    readNoiseQs: TableSchema,
    t0Sec: positive.default(20),
    tReadSec: positive.default(250e-9),
    ...scales,
  })
  .strict();

/** No programming noise, drift or read noise: the programmed weights equal the targets. */
export const IdealNoiseSchema = z.object({ type: z.literal("ideal") }).strict();

export const NoiseModelSchema = z.discriminatedUnion("type", [
  PcmNoiseSchema,
  HermesNoiseSchema,
  GenericNoiseSchema,
  IdealNoiseSchema,
]);
export type NoiseModelConfig = z.output<typeof NoiseModelSchema>;
export type NoiseModelConfigInput = z.input<typeof NoiseModelSchema>;

/** Drift compensation (SPEC 3): one global alpha per tile, one per output column, or none. */
export const DriftCompensationSchema = z.enum(["none", "global", "perColumn"]);
export type DriftCompensation = z.output<typeof DriftCompensationSchema>;
