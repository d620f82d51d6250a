import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  AnalogNasSpace,
  buildNetwork,
  createSpace,
  DsCnnSpace,
  MLPERF_DSCNN_GENOME,
  MLPERF_VWW_GENOME,
  MobileNetSpace,
  Nb201Space,
  SPACE_NAMES,
} from "../../src/nas/index.js";
import { noGrad, randn } from "../../src/tensor/index.js";

test("built networks have exactly the parameters the spaces count", () => {
  const rng = new Rng(11);
  for (const name of SPACE_NAMES) {
    const space = createSpace(name);
    for (let i = 0; i < 4; i++) {
      const g = space.sample(rng);
      const net = buildNetwork(space, g, rng);
      assert.equal(net.numParameters(), space.counts(g).params, `${name} ${space.key(g)}`);
    }
  }
  const ds = new DsCnnSpace();
  assert.equal(buildNetwork(ds, MLPERF_DSCNN_GENOME, rng).numParameters(), 23_756);
  const nb = new Nb201Space();
  assert.equal(buildNetwork(nb, [2, 2, 2, 2, 2, 2], rng).numParameters(), 1_531_546);
});

test("built networks run forward to [N, classes] on their input shapes", () => {
  const rng = new Rng(5);
  noGrad(() => {
    const nb = buildNetwork(new Nb201Space(), [0, 2, 0, 3, 4, 1], rng).eval();
    assert.deepEqual(nb.forward(randn([1, 32, 32, 3], rng)).shape, [1, 10]);
    const ds = buildNetwork(new DsCnnSpace(), MLPERF_DSCNN_GENOME, rng).eval();
    assert.deepEqual(ds.forward(randn([2, 49, 10, 1], rng)).shape, [2, 12]);
    const mb = buildNetwork(new MobileNetSpace(), MLPERF_VWW_GENOME, rng).eval();
    assert.deepEqual(mb.forward(randn([1, 96, 96, 3], rng)).shape, [1, 2]);
    const an = new AnalogNasSpace();
    const g = an.validate({
      outChannel0: 8,
      kernel0: 3,
      stages: [
        { blocks: 1, branches: 2, blockType: "A", widen: 2 },
        { blocks: 1, branches: 1, blockType: "B", widen: 1.5 },
      ],
    });
    assert.deepEqual(
      buildNetwork(an, g, rng)
        .eval()
        .forward(randn([1, 32, 32, 3], rng)).shape,
      [1, 10],
    );
  });
});

test("buildNetwork validates the genome first", () => {
  assert.throws(() => buildNetwork(new Nb201Space(), [9, 9], new Rng(0)), /nb201: genome/);
});
