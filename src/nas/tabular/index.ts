/** Public door of src/nas/tabular: tabular NAS benchmarks (AnalogNAS-Bench CSV) and surrogate quality on them. */
export { type MetricValue, parseMetricCell } from "./cell.js";
export { type CsvRecord, parseCsv } from "./csv.js";
export { type FeatureData, type FeatureDataOptions, loadFeatureData } from "./feature-data.js";
export { readTextFile } from "./read-text.js";
export { closeMatches, editDistance } from "./suggest.js";
export {
  type Featurizer,
  type SurrogateQuality,
  surrogateKendallTau,
  surrogateQuality,
} from "./surrogate-quality.js";
export {
  canonicalKey,
  loadTabularCsv,
  type TabularAnomaly,
  type TabularKey,
  type TabularOptions,
  type TabularRow,
  TabularTable,
} from "./table.js";
