/** Public door of src/core: errors, seeded randomness, kernel backends. */
export { writeFileAtomic, writeJsonAtomic } from "./atomic-write.js";
export { check, configError, describeValue, KirchhoffError, shapeError } from "./errors.js";
export { finishOutput } from "./kernels/js/analog-tile.js";
export type { BackendName } from "./kernels/registry.js";
export { availableBackends, getBackend, nativeLoadError, setBackend } from "./kernels/registry.js";
export type {
  Activation,
  AnalogInputParams,
  AnalogOutputParams,
  AnalogTileArgs,
  AnalogTileParams,
  Conv2dParams,
  Epilogue,
  HwaAdcParams,
  KernelBackend,
  RandomStream,
} from "./kernels/types.js";
export type { PhiloxStream } from "./philox.js";
export { philoxBlock, philoxFillNormalJs, philoxFillUniformJs } from "./philox.js";
export { Rng } from "./rng.js";
export { VERSION } from "./version.js";
