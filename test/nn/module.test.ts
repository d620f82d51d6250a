import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  GlobalAvgPool2d,
  Identity,
  Linear,
  Module,
  ReLU,
  Residual,
  Sequential,
} from "../../src/nn/index.js";
import { randn, scale, sum, type Tensor, zeros } from "../../src/tensor/index.js";

function smallNet(seed = 1): Sequential {
  const rng = new Rng(seed);
  return new Sequential([
    new Conv2d(3, 4, 3, { rng, padding: "same", bias: false }),
    new BatchNorm2d(4, { act: "relu" }),
    new Residual(new Sequential([new Conv2d(4, 4, 3, { rng, padding: 1 }), new ReLU()])),
    new GlobalAvgPool2d(),
    new Dropout(0.5, rng.fork("drop")),
    new Linear(4, 2, { rng }),
  ]);
}

/** A module with a shared (tied) parameter, to check it is listed once. */
class Tied extends Module {
  constructor() {
    super();
    const a = this.registerModule("a", new Linear(2, 2, { rng: new Rng(3) }));
    const b = this.registerModule("b", new Linear(2, 2, { rng: new Rng(4), bias: false }));
    (b as unknown as { registerParameter(n: string, t: Tensor): Tensor }).registerParameter(
      "weight",
      a.weight,
    );
  }
  forward(x: Tensor): Tensor {
    return this.child<Linear>("b").forward(this.child<Linear>("a").forward(x));
  }
}

describe("Module", () => {
  it("names parameters and buffers with PyTorch-style dotted paths in registration order", () => {
    const net = smallNet();
    assert.deepEqual(
      net.namedParameters().map(([n]) => n),
      ["0.weight", "1.weight", "1.bias", "2.body.0.weight", "2.body.0.bias", "5.weight", "5.bias"],
    );
    assert.deepEqual(
      net.namedBuffers().map(([n]) => n),
      ["1.running_mean", "1.running_var", "1.num_batches_tracked"],
    );
    assert.deepEqual(net.namedParameters()[0]![1].shape, [4, 3, 3, 3]);
    assert.ok(net.parameters().every((p) => p.requiresGrad));
    assert.ok(net.buffers().every((b) => !b.requiresGrad));
    assert.equal(net.numParameters(), 4 * 27 + 4 + 4 + (4 * 36 + 4) + (8 + 2));
    assert.deepEqual(
      net.namedModules().map(([n]) => n),
      ["", "0", "1", "2", "2.body", "2.body.0", "2.body.1", "2.shortcut", "3", "4", "5"],
    );
    assert.equal(net.children().length, 6);
  });

  it("lists a shared parameter once", () => {
    const t = new Tied();
    assert.deepEqual(
      t.namedParameters().map(([n]) => n),
      ["a.weight", "a.bias"],
    );
    assert.equal(t.numParameters(), 6);
  });

  it("round-trips the state dict into a differently initialised twin, in place", () => {
    const a = smallNet(1);
    const b = smallNet(2);
    const bWeight = b.parameters()[0]!;
    const bData = bWeight.data;
    assert.notDeepEqual(Array.from(a.parameters()[0]!.data), Array.from(bData));
    a.train();
    a.forward(randn([2, 5, 5, 3], new Rng(9))); // changes running stats and num_batches_tracked
    const res = b.loadStateDict(a.stateDict());
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
    for (const [k, t] of a.stateDict())
      assert.deepEqual(Array.from(b.stateDict().get(k)!.data), Array.from(t.data), k);
    assert.equal(b.parameters()[0], bWeight, "parameter identity kept");
    assert.equal(bWeight.data, bData, "data array kept");
    assert.equal(b.stateDict().get("1.num_batches_tracked")!.data[0], 1);
  });

  it("stateDict({copy}) is a snapshot, the default is live", () => {
    const net = smallNet();
    const live = net.stateDict().get("5.bias")!;
    const snap = net.stateDict({ copy: true }).get("5.bias")!;
    net.child<Linear>("5").bias!.data[0] = 42;
    assert.equal(live.data[0], 42);
    assert.notEqual(snap.data[0], 42);
  });

  it("loadStateDict reports missing, unexpected keys and shape mismatches", () => {
    const net = smallNet();
    const sd = net.stateDict({ copy: true });
    const missing = new Map(sd);
    missing.delete("5.bias");
    assert.throws(
      () => net.loadStateDict(missing),
      (e: unknown) => e instanceof KirchhoffError && /missing keys: 5\.bias/.test(e.message),
    );
    const extra = new Map(sd);
    extra.set("6.weight", zeros([1]));
    assert.throws(
      () => net.loadStateDict(extra, { source: "ckpt.safetensors" }),
      /ckpt\.safetensors.*unexpected keys: 6\.weight/,
    );
    const before = Array.from(net.parameters()[0]!.data);
    const bad = new Map(sd);
    bad.set("0.weight", zeros([4, 3, 3, 3]));
    bad.set("5.weight", zeros([3, 4]));
    assert.throws(() => net.loadStateDict(bad), /shape of "5\.weight": expected \[2,4\], got \[3,4\]/);
    assert.deepEqual(Array.from(net.parameters()[0]!.data), before, "a failed load changes nothing");
    const res = net.loadStateDict(extra, { strict: false });
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: ["6.weight"] });
    const res2 = net.loadStateDict(missing, { strict: false });
    assert.deepEqual(res2.missingKeys, ["5.bias"]);
  });

  it("setRequiresGrad freezes a subtree; numParameters(trainableOnly) counts the rest", () => {
    const net = smallNet();
    net.child("0").setRequiresGrad(false);
    assert.equal(net.numParameters(true), net.numParameters() - 4 * 27);
    const y = net.forward(randn([2, 4, 4, 3], new Rng(5)));
    sum(y).backward();
    assert.equal(net.parameters()[0]!.grad, null);
    assert.ok(net.parameters()[1]!.grad !== null);
  });

  it("propagates train/eval to every descendant", () => {
    const net = smallNet();
    assert.ok(net.modules().every((m) => m.training));
    net.eval();
    assert.ok(net.modules().every((m) => !m.training));
    net.train();
    assert.ok(net.modules().every((m) => m.training));
  });

  it("eval mode makes dropout and BatchNorm deterministic", () => {
    const net = smallNet();
    const x = randn([2, 4, 4, 3], new Rng(5));
    net.eval();
    assert.deepEqual(Array.from(net.forward(x).data), Array.from(net.forward(x).data));
  });

  it("replaces children through setChild and replaceModule (converter hook)", () => {
    const net = smallNet();
    const x = randn([1, 3, 3, 3], new Rng(6));
    net.eval();
    const oldLinear = net.child<Linear>("5");
    class Doubler extends Module {
      forward(t: Tensor): Tensor {
        return scale(oldLinear.forward(t), 2);
      }
    }
    const ref = net.forward(x);
    net.setChild("5", new Doubler());
    const doubled = net.forward(x);
    assert.deepEqual(
      Array.from(doubled.data),
      Array.from(ref.data).map((v) => Math.fround(2 * v)),
    );
    net.replaceModule("2.body.1", new Identity());
    assert.ok(net.child<Residual>("2").child<Sequential>("body").at(1) instanceof Identity);
    assert.throws(() => net.setChild("9", new Identity()), /no such child/);
    assert.throws(() => net.replaceModule("2.nope.1", new Identity()), /no child module named "nope"/);
  });

  it("apply visits children before parents; zeroGrad clears every gradient", () => {
    const net = new Sequential([new Flatten(), new Linear(4, 3, { rng: new Rng(1) })]);
    const seen: string[] = [];
    net.apply((m) => seen.push(m.constructor.name));
    assert.deepEqual(seen, ["Flatten", "Linear", "Sequential"]);
    const y = net.forward(randn([2, 2, 2], new Rng(2)));
    assert.deepEqual(y.shape, [2, 3]);
    sum(y).backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
  });

  it("prints the module tree with hyper-parameters", () => {
    const lines = smallNet().toString().split("\n");
    assert.equal(lines[0], "Sequential");
    assert.equal(lines[1], '  (0): Conv2d(3, 4, k=3x3, stride=1,1, padding="same", bias=false)');
    assert.equal(lines[2], "  (1): BatchNorm2d(4, eps=0.00001, momentum=0.1, affine=true, act=relu)");
    assert.equal(lines[4], "    (body): Sequential");
    assert.equal(lines.at(-1), "  (5): Linear(4, 2, bias=true)");
  });

  it("rejects bad names and name clashes", () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.registerParameter("w", zeros([1]));
        this.registerBuffer(name, zeros([1]));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    assert.throws(() => new Bad("w"), /already a parameter/);
    assert.throws(() => new Bad("a.b"), /must match/);
  });
});
