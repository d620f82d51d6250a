#!/usr/bin/env node
// Provenance of assets/fashion-mnist-subset/: a class-balanced subset of Fashion-MNIST taken from Debian's
// dataset-fashion-mnist package (MIT/Expat, Copyright 2017 Zalando SE). For every class it keeps the FIRST
// 600 training and the FIRST 100 test images in file order (no randomness), preserving file order, and writes
// them as gzipped IDX files (the same format as the source), plus the licence text.
//
//   node scripts/make-embedded-dataset.mjs [sourceDir=/usr/share/datasets/fashion-mnist] [outDir=assets/fashion-mnist-subset]
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

const src = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const out = process.argv[3] ?? new URL("../assets/fashion-mnist-subset", import.meta.url).pathname;
const PER_CLASS = { train: 600, t10k: 100 };

function readIdx(path) {
  const b = gunzipSync(readFileSync(path));
  const ndim = b[3];
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(b.readUInt32BE(4 + 4 * i));
  return { magic: b.readUInt32BE(0), dims, data: b.subarray(4 + 4 * ndim) };
}

function writeIdx(path, magic, dims, data) {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => {
    head.writeUInt32BE(d, 4 + 4 * i);
  });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, gzipSync(Buffer.concat([head, Buffer.from(data)]), { level: 9 }));
  renameSync(tmp, path);
}

mkdirSync(out, { recursive: true });
for (const split of ["train", "t10k"]) {
  const images = readIdx(join(src, `${split}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(src, `${split}-labels-idx1-ubyte.gz`));
  const [n, h, w] = images.dims;
  const per = h * w;
  const taken = new Array(10).fill(0);
  const keep = [];
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    if (taken[c] < PER_CLASS[split]) {
      taken[c]++;
      keep.push(i);
    }
  }
  const img = new Uint8Array(keep.length * per);
  const lab = new Uint8Array(keep.length);
  keep.forEach((i, k) => {
    img.set(images.data.subarray(i * per, (i + 1) * per), k * per);
    lab[k] = labels.data[i];
  });
  writeIdx(join(out, `${split}-images-idx3-ubyte.gz`), 0x803, [keep.length, h, w], img);
  writeIdx(join(out, `${split}-labels-idx1-ubyte.gz`), 0x801, [keep.length], lab);
  console.log(`${split}: ${keep.length} images, per class ${taken.join(",")}`);
}
writeFileSync(
  join(out, "LICENSE"),
  `Fashion-MNIST subset (6,000 training + 1,000 test images, 600 / 100 per class, first in file order)
taken from Debian's dataset-fashion-mnist package (files /usr/share/datasets/fashion-mnist/*.gz),
produced by scripts/make-embedded-dataset.mjs.

Source: https://github.com/zalandoresearch/fashion-mnist
Paper:  Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking
        Machine Learning Algorithms. arXiv:1708.07747 (2017).

The MIT License (MIT)
Copyright (c) 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a
copy of this software and associated documentation files (the "Software"),
to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense,
and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included
in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`,
);
