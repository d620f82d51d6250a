import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KirchhoffError } from "../../src/core/index.js";
import { detectTask, loadTaskData } from "../../src/train/index.js";

describe("task data", () => {
  it("the embedded default: seeded subsets, stratified validation split, NHWC 28×28×1", () => {
    const a = loadTaskData({ batchSize: 50, seed: 4, maxTrain: 500, maxTest: 100 });
    assert.equal(a.kind, "fashion-embedded");
    assert.equal(a.train.size + a.val!.size, 500);
    assert.equal(a.val!.size, 50);
    assert.equal(a.test.size, 100);
    assert.deepEqual(a.sampleShape, [28, 28, 1]);
    assert.equal(a.classes.length, 10);
    const b = loadTaskData({ batchSize: 50, seed: 4, maxTrain: 500, maxTest: 100 });
    assert.deepEqual(a.train.dataset.y, b.train.dataset.y);
    const c = loadTaskData({ batchSize: 50, seed: 5, maxTrain: 500, maxTest: 100 });
    assert.notDeepEqual(a.train.dataset.y, c.train.dataset.y);
  });

  it("recognises dataset folders by their files and names what it expected otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "kirchhoff-task-"));
    try {
      writeFileSync(join(dir, "data_batch_1.bin"), "");
      assert.equal(detectTask(dir), "cifar10");
      const kws = join(dir, "kws");
      mkdirSync(join(kws, "yes"), { recursive: true });
      mkdirSync(join(kws, "no"));
      assert.equal(detectTask(kws), "speech-commands");
      const empty = join(dir, "empty");
      mkdirSync(empty);
      assert.throws(
        () => detectTask(empty),
        (e: unknown) => e instanceof KirchhoffError && /not recognised/.test(e.message),
      );
      assert.throws(
        () => detectTask(join(dir, "nope")),
        (e: unknown) => e instanceof KirchhoffError && /does not exist/.test(e.message),
      );
      // a truncated CIFAR batch is reported by the loader, not as a crash
      writeFileSync(join(dir, "data_batch_1.bin"), new Uint8Array(100));
      assert.throws(() => loadTaskData({ path: dir, batchSize: 8, seed: 1 }), KirchhoffError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
