// SimPool-style attention pooling against PyTorch golden files (test/golden/attention: the formula
// transcribed, gradients of the input and both kernels by autograd), limits (W_k = 0 is global
// average pooling), training of its kernels by an optimizer, NaN, errors and finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Adam,
  attentionPool,
  globalAvgPool,
  layers,
  PoolkitArgumentError,
  sequential,
  tensor,
  zeros,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { checkLayoutCase, decode, readGoldenCases, type Encoded, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

interface AttentionCase extends LayoutCase {
  queryKernel: Encoded;
  keyKernel: Encoded;
  gradQueryKernel: Encoded;
  gradKeyKernel: Encoded;
}

function eye(size: number): Tensor {
  return tensor(
    Array.from({ length: size * size }, (_, index) => (index % (size + 1) === 0 ? 1 : 0)),
    [size, size],
  );
}

test('equals the formula in PyTorch: output and the gradients of the input and both kernels', () => {
  const golden = readGoldenCases<AttentionCase>(new URL('../golden/attention/cases.json', import.meta.url));
  assert.equal(golden.length, 5);
  for (const entry of golden) {
    const channels = entry.outputShape[1]!;
    const kernels = [entry.queryKernel, entry.keyKernel].map((values) => tensor(decode(values), [channels, channels]));
    checkLayoutCase(
      entry,
      (x, query, key) => attentionPool(x, query!, key!, entry.options),
      { absolute: 1e-5, relative: 1e-5 },
      kernels,
      [entry.gradQueryKernel, entry.gradKeyKernel],
    );
  }
});

test('W_k = 0 gives every cell the same weight: global average pooling', () => {
  const x = uniformTensor([2, 5, 4, 3], 3);
  assertClose(attentionPool(x, uniformTensor([3, 3], 4), zeros([3, 3])).values, globalAvgPool(x).values);
});

test('sharp keys pick the cell most aligned with the query', () => {
  // Cells [2, 0], [0, 1], [0, 0]: the mean is [2/3, 1/3]; keys 50·x give logits 66.7, 16.7, 0 over √2.
  const x = tensor([2, 0, 0, 1, 0, 0], [1, 3, 2]);
  const sharp = tensor([50, 0, 0, 50], [2, 2]);
  assertClose(attentionPool(x, eye(2), sharp).values, [2, 0], { absolute: 1e-6 });
});

test('a layer starts from identity kernels and an optimizer trains them', async () => {
  const model = sequential([layers.attentionPooling1d({ inputShape: [6, 2] }), layers.dense({ units: 1 })], {
    seed: 1,
  });
  const [query, key] = model.layers[0]!.parameters;
  assert.deepEqual([query!.name, key!.name], ['query_kernel', 'key_kernel']);
  assert.deepEqual(Array.from(query!.tensor.values), [1, 0, 0, 1]);
  const before = [query!.tensor.toFloat32Array(), key!.tensor.toFloat32Array()];
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
  await model.fit(uniformTensor([8, 6, 2], 5), uniformTensor([8, 1], 6), { epochs: 2, batchSize: 4 });
  assert.notDeepEqual(Array.from(query!.tensor.values), Array.from(before[0]!));
  assert.notDeepEqual(Array.from(key!.tensor.values), Array.from(before[1]!));
  assert.deepEqual(layers.attentionPooling2d().computeOutputShape([null, 26, 26, 32]), [null, 32]);
  model.dispose();
});

test('NaN or Infinity in a sample makes its output NaN; wrong kernel shapes are refused', () => {
  const x = uniformTensor([2, 3, 2], 7);
  x.values[1] = NaN;
  const y = attentionPool(x, eye(2), eye(2)).values;
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[1]));
  assert.ok(Number.isFinite(y[2]) && Number.isFinite(y[3]));
  x.values[1] = Infinity;
  const z = attentionPool(x, eye(2), eye(2)).values;
  assert.ok(Number.isNaN(z[0]) && Number.isNaN(z[1]) && Number.isFinite(z[2]));
  assert.throws(
    () => attentionPool(x, eye(3), eye(2)),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'queryKernel',
  );
  assert.throws(
    () => attentionPool(x, eye(2), zeros([2])),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'keyKernel',
  );
});

test('finite differences agree for the input and both kernels, 1D to 3D', () => {
  const kernels = (seed: number, size: number) => [
    uniformTensor([size, size], seed),
    uniformTensor([size, size], seed + 1),
  ];
  gradcheck((x, q, k) => attentionPool(x!, q!, k!), [uniformTensor([2, 5, 3], 1), ...kernels(2, 3)]);
  gradcheck((x, q, k) => attentionPool(x!, q!, k!), [uniformTensor([1, 3, 3, 2], 4), ...kernels(5, 2)]);
  gradcheck(
    (x, q, k) => attentionPool(x!, q!, k!, { dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 2, 2, 2, 3], 7), ...kernels(8, 2)],
  );
});
