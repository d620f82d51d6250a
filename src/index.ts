/** Kirchhoff's library entry: re-exports each layer's public door. */
export * from "./core/index.js";
