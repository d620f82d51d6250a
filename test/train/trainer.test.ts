import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { DataLoader } from "../../src/data/index.js";
import { Linear } from "../../src/nn/index.js";
import { crossEntropy, noGrad, tensor } from "../../src/tensor/index.js";
import {
  CHECKPOINT_FILE,
  evaluateClassifier,
  fromHwa,
  HwaLayer,
  hwaConfigFromPreset,
  type TrainEvent,
  trainModel,
} from "../../src/train/index.js";
import { blobs, TinyMlp, weightsOf } from "./fixtures.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "kirchhoff-train-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const data = blobs(240);
const valData = blobs(90, 8, 3, 2);

function loaders() {
  return {
    train: new DataLoader(data, { batchSize: 32, seed: 11 }),
    val: new DataLoader(valData, { batchSize: 45, shuffle: false }),
  };
}

function fullLoss(m: TinyMlp): number {
  m.eval();
  const v = noGrad(() => crossEntropy(m.forward(tensor(data.x, [data.y.length, 8])), data.y).item());
  m.train();
  return v;
}

describe("trainModel", () => {
  it("a few SGD steps reduce the training loss and reach high accuracy", () => {
    const model = new TinyMlp(new Rng(1));
    const before = fullLoss(model);
    const { train, val } = loaders();
    const events: TrainEvent[] = [];
    const r = trainModel(model, train, val, {
      epochs: 3,
      lr: 0.1,
      rng: new Rng(2),
      onEvent: (e) => events.push(e),
    });
    const afterLoss = fullLoss(model);
    assert.ok(afterLoss < 0.5 * before, `loss ${before} -> ${afterLoss}`);
    assert.equal(r.history.length, 3);
    assert.ok(r.history[2]!.trainLoss < r.history[0]!.trainLoss);
    assert.ok(r.bestValAccuracy! > 80, `val accuracy ${r.bestValAccuracy}`);
    assert.equal(events.filter((e) => e.type === "batch").length, 3 * train.batchesPerEpoch);
    assert.equal(events.at(-1)!.type, "stop");
  });

  it("hardware-aware training also reduces the loss; HWA layers share the digital tensors", () => {
    const model = new TinyMlp(new Rng(1));
    const w0 = model.child<Linear>("fc1").weight;
    const before = fullLoss(model);
    const { train, val } = loaders();
    trainModel(model, train, val, {
      epochs: 3,
      lr: 0.1,
      rng: new Rng(2),
      hwa: hwaConfigFromPreset("hermes"),
    });
    assert.ok(model.child("fc1") instanceof HwaLayer);
    assert.equal(model.child<HwaLayer>("fc1").getParameter("weight"), w0);
    fromHwa(model);
    assert.ok(model.child("fc1") instanceof Linear);
    assert.deepEqual([...model.stateDict().keys()], ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    assert.ok(fullLoss(model) < 0.6 * before);
  });

  it("resuming from the epoch checkpoint gives exactly the uninterrupted result (HWA noise included)", () => {
    const hwa = hwaConfigFromPreset("hermes");
    const run = (dir: string, resume: boolean, onEvent?: (e: TrainEvent) => void) => {
      const model = new TinyMlp(new Rng(1));
      const { train, val } = loaders();
      const r = trainModel(model, train, val, {
        epochs: 3,
        lr: 0.1,
        rng: new Rng(2),
        hwa,
        checkpointDir: dir,
        resume,
        run: { seed: 2 },
        onEvent,
      });
      return { model, r };
    };
    const full = run(tmp(), false);
    const dir = tmp();
    // Interrupted right after the checkpoint of epoch 1 (as if the process had been killed).
    assert.throws(() =>
      run(dir, false, (e) => {
        if (e.type === "checkpoint" && e.epoch === 1) throw new Error("interrupted");
      }),
    );
    const resumed = run(dir, true);
    assert.deepEqual(weightsOf(resumed.model), weightsOf(full.model));
    const noTime = (h: { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(noTime(resumed.r.history), noTime(full.r.history));
    assert.equal(resumed.r.epochsRun, 3);
  });

  it("resume refuses a checkpoint of a different run and reports corrupt files", () => {
    const dir = tmp();
    const { train } = loaders();
    trainModel(new TinyMlp(new Rng(1)), train, null, {
      epochs: 1,
      lr: 0.1,
      rng: new Rng(2),
      checkpointDir: dir,
      run: { seed: 2 },
    });
    assert.throws(
      () =>
        trainModel(new TinyMlp(new Rng(1)), train, null, {
          epochs: 2,
          lr: 0.1,
          rng: new Rng(2),
          checkpointDir: dir,
          resume: true,
          run: { seed: 3 },
        }),
      (e: unknown) => e instanceof KirchhoffError && /run\.seed/.test(e.message),
    );
    writeFileSync(join(dir, CHECKPOINT_FILE), "not a safetensors file");
    assert.throws(
      () =>
        trainModel(new TinyMlp(new Rng(1)), train, null, {
          epochs: 2,
          lr: 0.1,
          rng: new Rng(2),
          checkpointDir: dir,
          resume: true,
        }),
      KirchhoffError,
    );
  });

  it("stops early when validation accuracy stops improving", () => {
    const { train, val } = loaders();
    // lr 1e-9: nothing improves after the first epoch
    const r = trainModel(new TinyMlp(new Rng(1)), train, val, {
      epochs: 10,
      lr: 1e-9,
      rng: new Rng(2),
      earlyStopPatience: 2,
      schedule: "constant",
    });
    assert.equal(r.stoppedEarly, true);
    assert.equal(r.epochsRun, 3);
    assert.equal(r.bestEpoch, 1);
  });

  it("knowledge distillation trains towards the teacher", () => {
    const { train, val } = loaders();
    const teacher = new TinyMlp(new Rng(5));
    trainModel(teacher, train, val, { epochs: 3, lr: 0.1, rng: new Rng(2) });
    const student = new TinyMlp(new Rng(6));
    const hwa = hwaConfigFromPreset("hermes", { distill: { temperature: 2, alpha: 0.7 } });
    const r = trainModel(student, train, val, { epochs: 3, lr: 0.1, rng: new Rng(2), hwa, teacher });
    assert.ok(r.bestValAccuracy! > 80);
    assert.throws(
      () => trainModel(new TinyMlp(new Rng(6)), train, val, { epochs: 1, lr: 0.1, rng: new Rng(2), hwa }),
      KirchhoffError,
    );
  });

  it("rejects bad options with a KirchhoffError", () => {
    const { train } = loaders();
    assert.throws(
      () => trainModel(new TinyMlp(new Rng(1)), train, null, { epochs: 0, lr: 0.1, rng: new Rng(1) }),
      KirchhoffError,
    );
    assert.throws(
      () => trainModel(new TinyMlp(new Rng(1)), train, null, { epochs: 1, lr: -1, rng: new Rng(1) }),
      KirchhoffError,
    );
    assert.throws(
      () =>
        trainModel(new TinyMlp(new Rng(1)), train, null, {
          epochs: 1,
          lr: 0.1,
          rng: new Rng(1),
          optimizer: "lbfgs" as "sgd",
        }),
      KirchhoffError,
    );
  });

  it("evaluateClassifier restores the training mode", () => {
    const m = new TinyMlp(new Rng(1));
    const { val } = loaders();
    const r = evaluateClassifier(m, val);
    assert.equal(r.samples, 90);
    assert.equal(m.training, true);
  });
});
