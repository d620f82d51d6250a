import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import {
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  decodeSafetensors,
  encodeSafetensors,
  Flatten,
  fromTorchLayout,
  GlobalAvgPool2d,
  halfToFloat,
  Linear,
  loadModel,
  loadSafetensors,
  ReLU,
  Sequential,
  saveModel,
  saveSafetensors,
  toTorchLayout,
} from "../../src/nn/index.js";
import { randn, tensor, transpose } from "../../src/tensor/index.js";
import { assertClose, torchFixture, torchFixturePath } from "./helpers.js";

const tmp = () => mkdtempSync(join(tmpdir(), "kirchhoff-st-"));

/** Builds a file by hand: u64 header length, header JSON, data bytes. */
function rawFile(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  headerLenOverride?: number,
): Uint8Array {
  const h = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLenOverride ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe("safetensors format", () => {
  it("writes the exact byte layout: u64 LE header length, space-padded JSON, LE float32 data", () => {
    const bytes = encodeSafetensors(
      [
        ["a", { data: new Float32Array([1, -2]), shape: [2] }],
        ["b.w", { data: new Float32Array([0.5]), shape: [1, 1] }],
      ],
      { note: "hi" },
    );
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(dv.getBigUint64(0, true));
    const json = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.equal(n % 8, 0, "header padded to 8 bytes");
    assert.equal(
      json.trimEnd(),
      '{"__metadata__":{"note":"hi"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b.w":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}',
    );
    assert.match(json, /^\{.*\} *$/);
    assert.equal(bytes.length, 8 + n + 12);
    assert.equal(dv.getFloat32(8 + n, true), 1);
    assert.equal(dv.getFloat32(8 + n + 4, true), -2);
    assert.equal(dv.getFloat32(8 + n + 8, true), 0.5);
    assert.deepEqual([...bytes.subarray(8 + n, 8 + n + 4)], [0, 0, 0x80, 0x3f], "little-endian 1.0f");
  });

  it("round-trips tensors (including a scalar and an empty tensor) and metadata", () => {
    const t = randn([3, 4], new Rng(1));
    const bytes = encodeSafetensors(
      [
        ["w", t],
        ["s", { data: new Float32Array([7]), shape: [] }],
        ["e", { data: new Float32Array(0), shape: [0, 3] }],
      ],
      { epoch: "3" },
    );
    const back = decodeSafetensors(bytes);
    assert.deepEqual([...back.tensors.keys()], ["w", "s", "e"]);
    assert.deepEqual(Array.from(back.tensors.get("w")!.data), Array.from(t.data));
    assert.deepEqual(back.tensors.get("w")!.shape, [3, 4]);
    assert.deepEqual(back.tensors.get("s")!.shape, []);
    assert.equal(back.tensors.get("s")!.data[0], 7);
    assert.equal(back.tensors.get("e")!.data.length, 0);
    assert.deepEqual(back.metadata, { epoch: "3" });
  });

  it("reads a file written by Python (struct + json) with F32, F16, BF16, F64, I32, I64, U8", () => {
    const expected = torchFixture<
      Record<string, { shape: number[]; data: number[] }> & { __metadata__: Record<string, string> }
    >("nn_python_expected.json");
    const { tensors, metadata } = loadSafetensors(torchFixturePath("nn_python.safetensors"));
    assert.deepEqual(metadata, expected.__metadata__);
    const dtypes = Object.fromEntries([...tensors].map(([k, v]) => [k, v.dtype]));
    assert.deepEqual(dtypes, {
      f32: "F32",
      bf16: "BF16",
      f16: "F16",
      f64: "F64",
      i32: "I32",
      i64: "I64",
      u8: "U8",
      scalar: "F32",
    });
    for (const [name, e] of Object.entries(expected)) {
      if (name === "__metadata__") continue;
      const t = tensors.get(name)!;
      assert.deepEqual(t.shape, (e as { shape: number[] }).shape, name);
      // float32 rounding of the exact values is the only allowed difference
      assertClose(t.data, (e as { data: number[] }).data.map(Math.fround), { atol: 0, rtol: 0, what: name });
    }
  });

  it("decodes IEEE half precision including subnormals, infinities and NaN", () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x7c00), Number.POSITIVE_INFINITY);
    assert.equal(halfToFloat(0xfc00), Number.NEGATIVE_INFINITY);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.ok(Object.is(halfToFloat(0x8000), -0));
  });

  it("gives clear errors for malformed files", () => {
    const ok = rawFile({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8));
    assert.equal(decodeSafetensors(ok).tensors.get("x")!.data.length, 2);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(5), /m\.st: truncated: 5 bytes/],
      [rawFile({ x: 1 }, new Uint8Array(0), 500), /truncated: header says 500 header bytes/],
      [rawFile("{not json"), /bad header JSON/],
      [rawFile("[1,2]"), /expected a JSON object/],
      [
        rawFile({ x: { dtype: "F8", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
        /tensor "x": unknown dtype "F8"/,
      ],
      [
        rawFile({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)),
        /data_offsets \[0, 8\] out of range \(data section has 4 bytes\)/,
      ],
      [
        rawFile({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
        /8 data bytes do not match shape \[3\]/,
      ],
      [
        rawFile({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }),
        /shape must be an array of non-negative integers/,
      ],
      [
        rawFile({ x: { dtype: "F32", shape: [1], data_offsets: [4] } }, new Uint8Array(4)),
        /data_offsets must be \[begin, end\]/,
      ],
      [rawFile({ __metadata__: { a: 1 } }), /__metadata__\.a: expected a string/],
      [
        rawFile({ x: { dtype: "U8", shape: [2], data_offsets: [0, 2] } }, new Uint8Array(3)),
        /cover 2 \(trailing bytes\)/,
      ],
      [
        rawFile(
          {
            x: { dtype: "U8", shape: [2], data_offsets: [0, 2] },
            y: { dtype: "U8", shape: [2], data_offsets: [1, 3] },
          },
          new Uint8Array(3),
        ),
        /tensor "y": data_offsets start at 1 but the previous tensor ends at 2 \(overlap\)/,
      ],
      [
        rawFile(
          {
            x: { dtype: "U8", shape: [1], data_offsets: [0, 1] },
            y: { dtype: "U8", shape: [1], data_offsets: [2, 3] },
          },
          new Uint8Array(3),
        ),
        /\(gap\)/,
      ],
    ];
    for (const [bytes, re] of cases) {
      assert.throws(
        () => decodeSafetensors(bytes, "m.st"),
        (e: unknown) =>
          e instanceof KirchhoffError &&
          e.code === "io" &&
          re.test(e.message) &&
          e.message.startsWith("m.st: "),
        String(re),
      );
    }
    assert.throws(
      () => loadSafetensors(join(tmp(), "missing.safetensors")),
      /cannot read .*missing\.safetensors/,
    );
  });

  it("writes atomically: no temporary file is left and an existing file is replaced whole", () => {
    const dir = tmp();
    const path = join(dir, "w.safetensors");
    saveSafetensors(path, [["a", { data: new Float32Array([1, 2, 3]), shape: [3] }]]);
    saveSafetensors(path, [["b", { data: new Float32Array([4]), shape: [1] }]]);
    assert.deepEqual(readdirSync(dir), ["w.safetensors"]);
    assert.deepEqual([...loadSafetensors(path).tensors.keys()], ["b"]);
    assert.throws(() => saveSafetensors(join(dir, "no/such/dir/x.safetensors"), []), /cannot write/);
    assert.deepEqual(readdirSync(dir), ["w.safetensors"]);
  });
});

describe("saveModel / loadModel", () => {
  it("round-trips a model's parameters and buffers through a file", () => {
    const make = (seed: number) =>
      new Sequential([
        new Linear(4, 3, { rng: new Rng(seed) }),
        new BatchNorm1d(3),
        new Linear(3, 2, { rng: new Rng(seed + 1) }),
      ]);
    const a = make(1);
    a.forward(randn([5, 4], new Rng(2))); // update running stats
    const path = join(tmp(), "model.safetensors");
    saveModel(a, path, { arch: "mlp" });
    const b = make(10);
    const res = loadModel(b, path);
    assert.deepEqual(res.metadata, { arch: "mlp", "kirchhoff.layout": "OHWI" });
    for (const [k, t] of a.stateDict())
      assert.deepEqual(Array.from(b.stateDict().get(k)!.data), Array.from(t.data), k);
    const wrong = new Sequential([new Linear(4, 3, { rng: new Rng(1) })]);
    assert.throws(() => loadModel(wrong, path), /model\.safetensors\).*unexpected keys: 1\.weight/);
    const shaped = new Sequential([
      new Linear(4, 5, { rng: new Rng(1) }),
      new BatchNorm1d(5),
      new Linear(5, 2, { rng: new Rng(1) }),
    ]);
    assert.throws(() => loadModel(shaped, path), /shape of "0\.weight": expected \[5,4\], got \[3,4\]/);
    assert.ok(existsSync(path));
    assert.ok(readFileSync(path).length > 8);
  });

  it("loads a truncated model file with an error naming the file", () => {
    const dir = tmp();
    const path = join(dir, "cut.safetensors");
    saveModel(new Linear(8, 8, { rng: new Rng(1) }), path);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    assert.throws(
      () => loadModel(new Linear(8, 8, { rng: new Rng(1) }), path),
      /cut\.safetensors: tensor "(weight|bias)": data_offsets .* out of range/,
    );
  });
});

describe("PyTorch layout", () => {
  const torchNet = () => {
    const rng = new Rng(0);
    return new Sequential([
      new Conv2d(3, 4, 3, { rng, padding: 1, bias: false }),
      new BatchNorm2d(4),
      new ReLU(),
      new Conv2d(4, 6, 3, { rng, stride: 2, padding: 1, groups: 2 }),
      new ReLU(),
      new GlobalAvgPool2d(),
      new Flatten(),
      new Linear(6, 3, { rng }),
    ]);
  };

  it("loads a torch.nn conv net state dict (OIHW, format pt) and reproduces its eval output", () => {
    const fx = torchFixture<{ inputNCHW: { shape: number[]; data: number[] }; output: number[] }>(
      "nn_torch_convnet.json",
    );
    const path = torchFixturePath("nn_torch_convnet.safetensors");
    const net = torchNet();
    assert.throws(() => loadModel(net, path), /written by PyTorch .* layout "torch"/);
    const res = loadModel(net, path, { layout: "torch" });
    assert.equal(res.metadata.format, "pt");
    net.eval();
    const x = transpose(tensor(fx.inputNCHW.data, fx.inputNCHW.shape), [0, 2, 3, 1]);
    assertClose(net.forward(x).data, fx.output, { atol: 1e-5, rtol: 1e-4, what: "logits" });
  });

  it("toTorchLayout inverts fromTorchLayout and only touches 4-D tensors", () => {
    const sd = torchNet().stateDict();
    const torch = toTorchLayout(sd);
    assert.deepEqual(torch.get("3.weight")!.shape, [6, 2, 3, 3]);
    assert.equal(torch.get("7.weight"), sd.get("7.weight"));
    const back = fromTorchLayout(torch);
    for (const [k, t] of sd) {
      assert.deepEqual(back.get(k)!.shape, t.shape, k);
      assert.deepEqual(Array.from(back.get(k)!.data), Array.from(t.data), k);
    }
  });
});
