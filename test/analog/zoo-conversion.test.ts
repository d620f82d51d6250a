/**
 * toAnalog puts every weight matrix of every zoo model and of every search space's networks on tiles: a model
 * whose layer does its own math (as the LSTM keyword spotter once did, with cell code instead of nn.LSTM)
 * would otherwise stay digital under the analog simulation without a word.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { getPreset, toAnalog, weightMapping } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { buildNetwork, createSpace, SPACE_NAMES } from "../../src/nas/index.js";
import type { AnyModule } from "../../src/nn/index.js";
import { createModel, listModels } from "../../src/nn/zoo/index.js";

/** Names of the weight matrices and kernels (parameters of rank >= 2) that toAnalog left outside analog layers. */
function digitalWeights(model: AnyModule): string[] {
  const mapping = weightMapping(toAnalog(model, getPreset("hermes"), { rng: new Rng(2) }));
  assert.ok(mapping.analogLayers > 0, "no analog layers");
  return mapping.digitalWeights.map((w) => w.name);
}

test("toAnalog maps every weight matrix and kernel of every zoo model to an analog layer", () => {
  for (const { name } of listModels())
    assert.deepEqual(digitalWeights(createModel(name, {}, new Rng(1))), [], name);
});

test("toAnalog maps every weight of sampled networks of every search space", () => {
  for (const name of SPACE_NAMES) {
    const space = createSpace(name);
    const rng = new Rng(`space:${name}`);
    for (let i = 0; i < 3; i++) {
      const genome = space.sample(rng);
      const net = buildNetwork(space, genome, rng.fork(`net:${i}`));
      assert.deepEqual(digitalWeights(net), [], `${name} ${JSON.stringify(genome)}`);
    }
  }
});
