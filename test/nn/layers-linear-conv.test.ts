import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { Conv2d, DepthwiseConv2d, Linear } from "../../src/nn/index.js";
import { randn, type Tensor } from "../../src/tensor/index.js";
import { assertClose } from "./helpers.js";

/** Direct NHWC/OHWI convolution in float64, the reference for the module wiring. */
function naiveConv(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  stride: [number, number],
  pad: [number, number],
  dil: [number, number],
  groups: number,
) {
  const [n, h, wd, c] = x.shape as number[];
  const [o, kh, kw, cg] = w.shape as number[];
  const oh = Math.floor((h! + 2 * pad[0] - dil[0] * (kh! - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((wd! + 2 * pad[1] - dil[1] * (kw! - 1) - 1) / stride[1]) + 1;
  const og = o! / groups;
  const out: number[] = [];
  for (let ni = 0; ni < n!; ni++)
    for (let y = 0; y < oh; y++)
      for (let xo = 0; xo < ow; xo++)
        for (let oc = 0; oc < o!; oc++) {
          let acc = b ? b.data[oc]! : 0;
          const g = Math.floor(oc / og);
          for (let i = 0; i < kh!; i++)
            for (let j = 0; j < kw!; j++) {
              const iy = y * stride[0] - pad[0] + i * dil[0];
              const ix = xo * stride[1] - pad[1] + j * dil[1];
              if (iy < 0 || iy >= h! || ix < 0 || ix >= wd!) continue;
              for (let ci = 0; ci < cg!; ci++) {
                acc +=
                  x.data[((ni * h! + iy) * wd! + ix) * c! + g * cg! + ci]! *
                  w.data[((oc * kh! + i) * kw! + j) * cg! + ci]!;
              }
            }
          out.push(acc);
        }
  return { data: out, shape: [n, oh, ow, o] };
}

describe("Linear", () => {
  it("computes x·Wᵀ + b with PyTorch default init bounds U(±1/√in)", () => {
    const lin = new Linear(50, 20, { rng: new Rng(1) });
    assert.deepEqual(lin.weight.shape, [20, 50]);
    assert.deepEqual(lin.bias!.shape, [20]);
    const bound = 1 / Math.sqrt(50);
    assert.ok(
      lin.weight.data.every((v) => Math.abs(v) <= bound) && lin.bias!.data.every((v) => Math.abs(v) <= bound),
    );
    // uniform on ±bound has variance bound²/3
    let s2 = 0;
    for (const v of lin.weight.data) s2 += v * v;
    assertClose([s2 / lin.weight.size], [(bound * bound) / 3], { rtol: 0.1, atol: 0 });
    const x = randn([3, 50], new Rng(2));
    const y = lin.forward(x);
    const ref: number[] = [];
    for (let i = 0; i < 3; i++)
      for (let o = 0; o < 20; o++) {
        let acc = lin.bias!.data[o]!;
        for (let k = 0; k < 50; k++) acc += x.data[i * 50 + k]! * lin.weight.data[o * 50 + k]!;
        ref.push(acc);
      }
    assertClose(y.data, ref, { atol: 1e-5 });
    assert.equal(new Linear(4, 2, { rng: new Rng(1), bias: false }).bias, null);
    assert.throws(() => new Linear(0, 2, { rng: new Rng(1) }), KirchhoffError);
  });
});

describe("Conv2d", () => {
  const variants: [
    string,
    ConstructorParameters<typeof Conv2d>[3] & { pads: [number, number] },
    number,
    number,
    [number, number],
  ][] = [
    ["stride 2, padding 1", { rng: new Rng(1), stride: 2, padding: 1, pads: [1, 1] }, 3, 4, [3, 3]],
    [
      "dilation 2, pad [2,1], groups 2",
      { rng: new Rng(2), dilation: 2, padding: [2, 1], groups: 2, pads: [2, 1] },
      4,
      6,
      [3, 2],
    ],
    [
      "valid, no bias, stride [1,2]",
      { rng: new Rng(3), padding: "valid", bias: false, stride: [1, 2], pads: [0, 0] },
      2,
      3,
      [2, 2],
    ],
  ];
  for (const [name, opts, inC, outC, k] of variants) {
    it(`forward matches a direct convolution: ${name}`, () => {
      const { pads, ...o } = opts;
      const conv = new Conv2d(inC, outC, k, o);
      assert.deepEqual(conv.weight.shape, [outC, k[0], k[1], inC / (o.groups ?? 1)]);
      const x = randn([2, 6, 7, inC], new Rng(9));
      const y = conv.forward(x);
      const ref = naiveConv(
        x,
        conv.weight,
        conv.bias,
        [...conv.stride],
        pads,
        [...conv.dilation],
        conv.groups,
      );
      assert.deepEqual(y.shape, ref.shape);
      assertClose(y.data, ref.data, { atol: 1e-5 });
    });
  }

  it('"same" padding keeps ceil(H/stride) and fields expose the hyper-parameters', () => {
    const conv = new Conv2d(3, 8, 3, { rng: new Rng(1), stride: 2, padding: "same" });
    assert.deepEqual(conv.forward(randn([1, 9, 10, 3], new Rng(1))).shape, [1, 5, 5, 8]);
    assert.deepEqual(
      {
        k: conv.kernelSize,
        s: conv.stride,
        p: conv.padding,
        d: conv.dilation,
        g: conv.groups,
        b: conv.hasBias,
      },
      { k: [3, 3], s: [2, 2], p: "same", d: [1, 1], g: 1, b: true },
    );
    const bound = 1 / Math.sqrt(27);
    assert.ok(conv.weight.data.every((v) => Math.abs(v) <= bound));
    assert.throws(
      () => new Conv2d(3, 8, 3, { rng: new Rng(1), groups: 2 }),
      /groups: expected a positive divisor/,
    );
    assert.throws(() => new Conv2d(3, 8, 0, { rng: new Rng(1) }), /kernelSize/);
  });

  it("DepthwiseConv2d is a grouped conv with one input channel per group", () => {
    const dw = new DepthwiseConv2d(4, 3, { rng: new Rng(1), padding: 1, depthMultiplier: 2 });
    assert.deepEqual(dw.weight.shape, [8, 3, 3, 1]);
    assert.equal(dw.groups, 4);
    assert.ok(dw instanceof Conv2d);
    const x = randn([1, 5, 5, 4], new Rng(2));
    assertClose(dw.forward(x).data, naiveConv(x, dw.weight, dw.bias, [1, 1], [1, 1], [1, 1], 4).data, {
      atol: 1e-5,
    });
  });
});
