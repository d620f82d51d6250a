/**
 * The complete, validated configuration of an analog layer (aihwkit `InferenceRPUConfig`, SPEC section 5):
 * periphery IO, weight mapping and tiling, converter, noise model, drift compensation and input range.
 */
import { z } from "zod";
import { ConverterSchema, DriftCompensationSchema, NoiseModelSchema } from "./device.js";
import { IOParametersSchema } from "./io.js";
import { parseConfig } from "./parse.js";

/** Weight mapping and tiling (aihwkit `MappingParameter`, SPEC 5.3). */
export const MappingSchema = z
  .object({
    /** Bias added in floating point after the tiles (never programmed). */
    digitalBias: z.boolean().default(true),
    /** > 0: scale weights so that max|W_tile| = ω (per output row when columnwise). 0: no scaling. */
    weightScalingOmega: z.number().finite().nonnegative().default(0),
    weightScalingColumnwise: z.boolean().default(false),
    /** Learned per-tile output scales (initialised to 1), per output when outScalingColumnwise. */
    learnOutScaling: z.boolean().default(false),
    outScalingColumnwise: z.boolean().default(false),
    /**
     * Largest tile along inputs / outputs; larger layers are split into near-equal tiles (SPEC 10.2).
     * `null` = unlimited (aihwkit writes 0 for this; Kirchhoff rejects a tile size of 0 as a mistake).
     */
    maxInputSize: z.number().int().positive().nullable().default(512),
    maxOutputSize: z.number().int().positive().nullable().default(512),
    /**
     * Grouped (depthwise) convolutions: every group on its own tile array (`perGroup`), or several groups
     * per tile on its diagonal, the other devices programmed to zero (`blockDiagonal`; layers/conv-tiles.ts).
     */
    groupedConvTiles: z.enum(["perGroup", "blockDiagonal"]).default("perGroup"),
    /**
     * Cores (crossbar tiles) of the chip this configuration models, null = unlimited. Reported beside a model's
     * tile count, not enforced: the simulation gives every tile its own crossbar.
     */
    chipCores: z.number().int().positive().nullable().default(null),
  })
  .strict();
export type MappingParameters = z.output<typeof MappingSchema>;

/** Learned input range (aihwkit `InputRangeParameter`): x ↦ clamp(x, −r, r)/r before the DAC. */
export const InputRangeSchema = z
  .object({
    enable: z.boolean().default(false),
    /** Initial input range r (normalised activation units). */
    initValue: z.number().finite().positive().default(3),
  })
  .strict();

export const AnalogConfigSchema = z
  .object({
    /** Preset name this configuration came from (informational). */
    name: z.string().default("custom"),
    forward: IOParametersSchema.default(IOParametersSchema.parse({})),
    mapping: MappingSchema.default(MappingSchema.parse({})),
    /** Weight↔conductance converter; defaults to a single pair at the noise model's g_max. */
    converter: ConverterSchema.optional(),
    noiseModel: NoiseModelSchema.default(() => NoiseModelSchema.parse({ type: "pcm" })),
    driftCompensation: DriftCompensationSchema.default("global"),
    inputRange: InputRangeSchema.default(InputRangeSchema.parse({})),
  })
  .strict();
export type AnalogConfig = z.output<typeof AnalogConfigSchema>;
export type AnalogConfigInput = z.input<typeof AnalogConfigSchema>;

/** Validates a user configuration (throws KirchhoffError("config") naming every bad field). */
export function analogConfig(input: AnalogConfigInput | unknown, where = "analog config"): AnalogConfig {
  return parseConfig(AnalogConfigSchema, input, where);
}
