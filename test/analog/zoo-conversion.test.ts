/**
 * toAnalog puts every weight matrix of every zoo model on tiles: a model whose layer does its own math (as
 * the LSTM keyword spotter once did, with cell code instead of nn.LSTM) would otherwise stay digital under
 * the analog simulation without a word.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { analogLayers, getPreset, toAnalog } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { createModel, listModels } from "../../src/nn/zoo/index.js";

test("toAnalog maps every weight matrix and kernel of every zoo model to an analog layer", () => {
  for (const { name } of listModels()) {
    const model = toAnalog(createModel(name, {}, new Rng(1)), getPreset("hermes"), { rng: new Rng(2) });
    const analogPaths = analogLayers(model).map(([path]) => `${path}.`);
    const digital = model
      .namedParameters()
      .filter(([pname, p]) => p.shape.length >= 2 && !analogPaths.some((a) => pname.startsWith(a)))
      .map(([pname]) => pname);
    assert.deepEqual(digital, [], `${name}: weights left digital`);
    assert.ok(analogPaths.length > 0, name);
  }
});
