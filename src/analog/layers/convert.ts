/**
 * Model conversion and model-level program/drift (aihwkit `convert_to_analog`,
 * `program_analog_weights`, `drift_analog_weights`). Every Linear, Conv2d / DepthwiseConv2d, LSTM and GRU
 * of a digital model is replaced in place by its analog counterpart (weights copied, same parameter names),
 * and back. Each analog layer draws its randomness from a fork of the given Rng named by its module path,
 * so results do not depend on traversal order and every layer is processed exactly once.
 */
import { KirchhoffError, Rng } from "../../core/index.js";
import { type AnyModule, Conv2d, DepthwiseConv2d, GRU, Linear, LSTM } from "../../nn/index.js";
import { type AnalogConfig, type AnalogConfigInput, analogConfig } from "../config/analog-config.js";
import { AnalogConv2d } from "./analog-conv.js";
import { AnalogLayer } from "./analog-layer.js";
import { AnalogLinear } from "./analog-linear.js";
import { AnalogRecurrent } from "./analog-recurrent.js";

export interface ToAnalogOptions {
  /** Seeds the forward-noise streams of the new layers (default: Rng(0)). */
  rng?: Rng;
}

function analogOf(m: AnyModule, cfg: AnalogConfig, rng: Rng): AnalogLayer<never[], unknown> | null {
  if (m instanceof AnalogLayer) return null;
  if (m instanceof Linear) return AnalogLinear.fromDigital(m, cfg, rng) as never;
  if (m instanceof Conv2d) return AnalogConv2d.fromDigital(m, cfg, rng) as never;
  if (m instanceof LSTM || m instanceof GRU) return AnalogRecurrent.fromDigital(m, cfg, rng) as never;
  return null;
}

function digitalOf(m: AnyModule): AnyModule | null {
  if (m instanceof AnalogLinear) {
    const d = new Linear(m.inFeatures, m.outFeatures, { rng: new Rng(0), bias: m.hasBias });
    d.weight.data.set(m.weight.data);
    if (m.bias) d.bias!.data.set(m.bias.data);
    d.training = m.training;
    return d;
  }
  if (m instanceof AnalogConv2d) {
    const opts = {
      rng: new Rng(0),
      stride: m.stride,
      padding: m.padding,
      dilation: m.dilation,
      bias: m.hasBias,
    };
    const d =
      m.depthMultiplier !== null
        ? new DepthwiseConv2d(m.inChannels, m.kernelSize, { ...opts, depthMultiplier: m.depthMultiplier })
        : new Conv2d(m.inChannels, m.outChannels, m.kernelSize, { ...opts, groups: m.groups });
    d.weight.data.set(m.weight.data);
    if (m.bias) d.bias!.data.set(m.bias.data);
    d.training = m.training;
    return d;
  }
  if (m instanceof AnalogRecurrent) {
    const d = m.digital;
    d.training = m.training;
    return d;
  }
  return null;
}

/** Replaces matching descendants (and the root itself) using `map`; returns the (possibly new) root. */
function replaceAll<M extends AnyModule>(model: M, map: (m: AnyModule, path: string) => AnyModule | null): M {
  const root = map(model, "");
  if (root) return root as M;
  const walk = (parent: AnyModule, prefix: string) => {
    for (const [name, child] of parent.namedChildren()) {
      const path = prefix ? `${prefix}.${name}` : name;
      const rep = map(child, path);
      if (rep) parent.setChild(name, rep);
      else walk(child, path);
    }
  };
  walk(model, "");
  return model;
}

/**
 * Converts a digital model to analog in place (returns the root, which is new only when the root itself is a
 * convertible layer). `config` is a validated AnalogConfig, e.g. from getPreset("hermes").
 */
export function toAnalog<M extends AnyModule>(
  model: M,
  config: AnalogConfig | AnalogConfigInput,
  opts: ToAnalogOptions = {},
): M {
  const cfg = analogConfig(config);
  const rng = opts.rng ?? new Rng(0);
  return replaceAll(model, (m, path) => analogOf(m, cfg, rng.fork(`layer:${path}`)));
}

/** Converts every analog layer back to its digital counterpart (current digital weights). */
export function toDigital<M extends AnyModule>(model: M): M {
  return replaceAll(model, (m) => digitalOf(m));
}

/** Every analog layer of a model with its module path. */
export function analogLayers(model: AnyModule): [string, AnalogLayer<never[], unknown>][] {
  return model.namedModules().filter(([, m]) => m instanceof AnalogLayer) as [
    string,
    AnalogLayer<never[], unknown>,
  ][];
}

/**
 * Puts the depthwise convolutions (groups = input channels > 1) of an analog model back on the digital units,
 * as a chip's digital host runs them (aihwkit 1.1.0 maps only groups = 1 convolutions, SPEC §10.3); returns
 * their module paths.
 */
export function depthwiseToDigital(model: AnyModule): string[] {
  const paths: string[] = [];
  for (const [path, layer] of analogLayers(model)) {
    if (layer instanceof AnalogConv2d && layer.groups > 1 && layer.groups === layer.inChannels) {
      model.replaceModule(path, toDigital(layer));
      paths.push(path);
    }
  }
  return paths;
}

/** Where a model's weights live after toAnalog (weights: parameters of rank >= 2, i.e. matrices and kernels). */
export interface WeightMapping {
  analogLayers: number;
  /** Weights of the analog layers (on tiles). */
  analogWeights: number;
  /** Crossbar tiles the analog layers occupy (each at most maxInputSize × maxOutputSize devices). */
  tiles: number;
  /** The modelled chip's cores (mapping.chipCores of the analog layers' configuration; null: unlimited). */
  chipCores: number | null;
  /** Weight tensors outside analog layers (kept digital on purpose, or by layers toAnalog does not convert). */
  digitalWeights: { name: string; size: number }[];
}

/** Counts which weights of a (converted) model are on tiles and which stay digital. */
export function weightMapping(model: AnyModule): WeightMapping {
  const analog = analogLayers(model);
  const layers = analog.map(([path]) => (path ? `${path}.` : ""));
  const tiles = analog.reduce((n, [, l]) => n + l.tileCount(), 0);
  const chipCores = analog[0]?.[1].config.mapping.chipCores ?? null;
  const out: WeightMapping = {
    analogLayers: layers.length,
    analogWeights: 0,
    tiles,
    chipCores,
    digitalWeights: [],
  };
  for (const [name, p] of model.namedParameters()) {
    if (p.shape.length < 2) continue;
    if (layers.some((prefix) => name.startsWith(prefix))) out.analogWeights += p.size;
    else out.digitalWeights.push({ name, size: p.size });
  }
  return out;
}

function requireAnalog(model: AnyModule, what: string): [string, AnalogLayer<never[], unknown>][] {
  const layers = analogLayers(model);
  if (layers.length === 0) {
    throw new KirchhoffError(
      "config",
      `${what}: the model has no analog layers (convert it with toAnalog first)`,
    );
  }
  return layers;
}

/** Programs every analog layer's current weights onto its tiles (programming noise, drift exponents). */
export function program(model: AnyModule, rng: Rng): void {
  const call = rng.split(); // repeated calls give fresh, reproducible samples
  for (const [path, layer] of requireAnalog(model, "program")) layer.program(call.fork(`program:${path}`));
}

/**
 * Drifts every analog layer to tInferenceSec (seconds after programming; programs first if needed). Each call
 * restarts from the programmed state (not cumulative).
 */
export function drift(model: AnyModule, tInferenceSec: number, rng: Rng): void {
  const call = rng.split(); // repeated calls give fresh, reproducible read-noise samples
  for (const [path, layer] of requireAnalog(model, "drift"))
    layer.drift(tInferenceSec, call.fork(`drift:${path}`));
}
