/**
 * IBM AnalogNAS's feature encoding of its ResNet-like macro-space configurations, for feeding their
 * XGBoost surrogates (imported with importXgboostJson). Source: IBM/analog-nas @71dae1f8,
 * analogainas/search_spaces/config_space.py; the vector is `list(config.values())` in ConfigSpace insertion
 * order (see shared/reference/analognas/search_space.json and surrogate_reference.json "feature_order_*").
 */
import { KirchhoffError } from "../../core/index.js";

/**
 * One AnalogNAS configuration dictionary, exactly as IBM's ConfigSpace builds it. Groups m > M hold 0.
 * out_channel0: stem output channels; M: number of residual groups (1..5); R_m: blocks in group m;
 * convblock_m: block type id; widenfact_m: widening factor (channels_m = channels_{m-1} // widenfact_m);
 * B_m: parallel branches per block.
 */
export interface AnalogNasConfig {
  out_channel0: number;
  M: number;
  R1: number;
  R2: number;
  R3: number;
  R4: number;
  R5: number;
  convblock1: number;
  widenfact1: number;
  B1: number;
  convblock2: number;
  widenfact2: number;
  B2: number;
  convblock3: number;
  widenfact3: number;
  B3: number;
  convblock4: number;
  widenfact4: number;
  B4: number;
  convblock5: number;
  widenfact5: number;
  B5: number;
}

/** The 22 features in IBM's order (what XGBoostEvaluator.query feeds to the surrogates). */
export const ANALOGNAS_FEATURES_X22: readonly (keyof AnalogNasConfig)[] = [
  "out_channel0",
  "M",
  "R1",
  "R2",
  "R3",
  "R4",
  "R5",
  "convblock1",
  "widenfact1",
  "B1",
  "convblock2",
  "widenfact2",
  "B2",
  "convblock3",
  "widenfact3",
  "B3",
  "convblock4",
  "widenfact4",
  "B4",
  "convblock5",
  "widenfact5",
  "B5",
];

/** The 17-feature order of surrogate_xgboost_std.json (x22 without the widenfact_m entries). */
export const ANALOGNAS_FEATURES_X17: readonly (keyof AnalogNasConfig)[] = ANALOGNAS_FEATURES_X22.filter(
  (k) => !k.startsWith("widenfact"),
);

/**
 * The feature vector of a config: "x22" (default, all IBM models but one) or "x17" (surrogate_xgboost_std.json).
 * Throws a KirchhoffError naming a missing or non-numeric field.
 */
export function analognasFeatureVector(config: AnalogNasConfig, layout: "x22" | "x17" = "x22"): number[] {
  const order = layout === "x22" ? ANALOGNAS_FEATURES_X22 : ANALOGNAS_FEATURES_X17;
  const rec = config as unknown as Record<string, unknown>;
  if (typeof config !== "object" || config === null) {
    throw new KirchhoffError(
      "config",
      `analognasFeatureVector: expected a config object, got ${JSON.stringify(config)}`,
    );
  }
  return order.map((k) => {
    const v = rec[k];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new KirchhoffError(
        "config",
        `AnalogNAS config: ${k}: expected a finite number, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  });
}
