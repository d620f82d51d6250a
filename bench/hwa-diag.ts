/**
 * bench/hwa-diag: scratch diagnosis of where the 1-month HERMES accuracy is lost (HWA quality work). Trains a
 * model digitally (small budget), then evaluates it with ONE layer analog at a time (others digital), with all
 * layers analog, and with all but the depthwise convolutions analog, at 1 s and 1 month (reps programmings).
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/hwa-diag.ts [--model dscnn] [--epochs 20]
 */
import { analogLayers, drift, getPreset, program, toAnalog, toDigital } from "../src/analog/index.js";
import { Rng } from "../src/core/index.js";
import { type AnyModule, Conv2d, createModel } from "../src/nn/index.js";
import { evaluateClassifier, loadTaskData, trainModel } from "../src/train/index.js";

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const name = flag("model", "dscnn");
const epochs = Number(flag("epochs", "20"));
const reps = Number(flag("reps", "2"));
const shared = new URL("../../shared/datasets/", import.meta.url).pathname;
const path = name === "dscnn" ? `${shared}speech-commands-v0.02-subset` : `${shared}cifar10-jpeg-q75-subset`;
const data = loadTaskData({
  path,
  batchSize: 64,
  seed: 1,
  maxTrain: Number(flag("train-size", "5000")),
  maxTest: Number(flag("test-size", "300")),
  valFraction: 0,
});
const model = createModel(name, { classes: data.classes.length }, new Rng(1).fork("init"));
trainModel(model, data.train, null, { epochs, lr: 0.05, weightDecay: 5e-4, rng: new Rng(2) });
const state = model.stateDict({ copy: true });
console.log(`${name}: digital ${evaluateClassifier(model, data.test).accuracy.toFixed(2)} %`);

const preset = getPreset("hermes");
function evalWith(keepAnalog: (path: string, m: AnyModule) => boolean, label: string): void {
  const m = createModel(name, { classes: data.classes.length }, new Rng(1).fork("init"));
  m.loadStateDict(state);
  const isAnalogCandidate = new Map<string, boolean>();
  for (const [p, mod] of m.namedModules()) if (p) isAnalogCandidate.set(p, keepAnalog(p, mod));
  const a = toAnalog(m, preset, { rng: new Rng(5) });
  for (const [p, layer] of analogLayers(a))
    if (!isAnalogCandidate.get(p)) a.replaceModule(p, toDigital(layer));
  if (analogLayers(a).length === 0) return;
  const accs: Record<string, number> = { "1s": 0, "1mo": 0 };
  const rr = new Rng(7);
  for (let r = 0; r < reps; r++) {
    const rng = rr.split();
    program(a, rng.fork("p"));
    drift(a, 1, rng.fork("d1"));
    accs["1s"]! += evaluateClassifier(a, data.test).accuracy / reps;
    drift(a, 2_592_000, rng.fork("d2"));
    accs["1mo"]! += evaluateClassifier(a, data.test).accuracy / reps;
  }
  console.log(`  ${label.padEnd(40)} 1 s ${accs["1s"]!.toFixed(2)} %  1 mo ${accs["1mo"]!.toFixed(2)} %`);
}
const layers = model
  .namedModules()
  .filter(([p, m]) => p && (m instanceof Conv2d || m.constructor.name === "Linear"));
const only = flag("only", "");
if (!only || only === "all") {
  evalWith(() => true, "all analog");
  evalWith((_p, m) => !(m instanceof Conv2d && m.groups > 1), "all analog except depthwise");
}
if (!only || only === "layers") {
  for (const [p, l] of layers) evalWith((q) => q === p, `only ${p} (${l.constructor.name})`);
}
