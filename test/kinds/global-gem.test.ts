// Global GeM pooling against PyTorch golden cases (golden/global-gem/generate.py), its agreement with
// windowed GeM over a window as large as the input, keepDims, errors, finite differences for input
// and p, and its layer's weight 'p' trained by fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gemPool2d, globalGemPool, layers, tensor } from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';
import { checkGoldenCase, readGolden } from './formula-golden.js';
import { assertTrainsWeights } from './layer-training.js';

const golden = readGolden('global-gem');

test('the golden file covers ranks 1 to 3 and keepDims', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.inputShape.length)), new Set([3, 4, 5]));
  assert.ok(golden.cases.some((item) => item.options.keepDims === true));
});

for (const item of golden.cases) test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, globalGemPool));

test('equals windowed GeM with one window covering the input; [batch, channels] unless keepDims', () => {
  const x = uniformTensor([2, 3, 4, 5], 7);
  const p = tensor([3, 2, 5, 1, 4]);
  const windowed = gemPool2d(x, p, { kernelSize: [3, 4] });
  const kept = globalGemPool(x, p, { keepDims: true });
  assert.deepEqual(kept.shape, [2, 1, 1, 5]);
  assert.deepEqual(Array.from(kept.values), Array.from(windowed.values));
  const flat = globalGemPool(x, p);
  assert.deepEqual(flat.shape, [2, 5]);
  assert.deepEqual(Array.from(flat.values), Array.from(windowed.values));
});

test('refuses a mask (GeM has no masked form) and a rank-2 input', () => {
  const x = uniformTensor([2, 4, 3], 1);
  assert.throws(
    () => globalGemPool(x, tensor([3]), { mask: tensor([1, 1, 1, 1, 1, 1, 1, 1], [2, 4]) } as never),
    /mask/,
  );
  assert.throws(
    () => globalGemPool(uniformTensor([2, 3], 1), tensor([3])),
    /globalGemPool: input must have rank 3, 4 or 5/,
  );
});

test('finite differences agree for input and p, per layer and per channel', () => {
  const positive = (shape: number[], seed: number) =>
    tensor(
      Array.from(uniformTensor(shape, seed).values, (value) => Math.abs(value) + 0.2),
      shape,
    );
  gradcheck((x, p) => globalGemPool(x!, p!), [positive([2, 5, 2], 3), tensor([3])]);
  gradcheck(
    (x, p) => globalGemPool(x!, p!, { dataFormat: 'channelsFirst' }),
    [positive([1, 2, 3, 3, 2], 4), tensor([2, 4])],
  );
});

test("the layer's weight 'p' starts at 3 and is trained", async () => {
  await assertTrainsWeights(layers.globalGemPooling2d(), [{ name: 'p', shape: [1], initial: 3 }]);
});
