// DiffStride against PyTorch golden files (test/golden/spectral: torch.fft with the mask built from a
// stride tensor, autograd giving the strides' gradient), output sizes that follow the stride, the
// limit where it is spectral pooling, the layer's bounds, fixed output and training, finite differences.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Adam,
  diffStridePool1d,
  diffStridePool2d,
  diffStridePool3d,
  globalAvgPool,
  layers,
  PoolkitArgumentError,
  Random,
  sequential,
  spectralPool2d,
  tensor,
  type Pooling,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { checkLayoutCase, decode, readGoldenCases, type Encoded, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

interface DiffStrideCase extends LayoutCase {
  kind: 'spectral' | 'diffStride';
  dims: 1 | 2 | 3;
  strides: Encoded;
  gradStrides: Encoded;
}

const OPS = { 1: diffStridePool1d, 2: diffStridePool2d, 3: diffStridePool3d } as const;

test('equals torch.fft with the mask of a stride tensor: output, input gradient and stride gradient', () => {
  const golden = readGoldenCases<DiffStrideCase>(new URL('../golden/spectral/cases.json', import.meta.url));
  const cases = golden.filter((entry) => entry.kind === 'diffStride');
  assert.equal(cases.length, 7);
  for (const entry of cases) {
    const strides = tensor(decode(entry.strides), [entry.strides.length]);
    checkLayoutCase(
      entry,
      (x, s) => OPS[entry.dims](x, s!, entry.options),
      { absolute: 1e-5, relative: 1e-4 },
      [strides],
      [entry.gradStrides],
    );
  }
});

test('the output size follows the stride: the mask’s support, 2·⌈N/(2S) + R⌉ − 1 cells (at most N)', () => {
  const x = uniformTensor([1, 26, 26, 1], 1);
  const sizeAt = (stride: number, smoothness = 4) =>
    diffStridePool2d(x, tensor([stride, stride]), { smoothness }).shape[1];
  assert.equal(sizeAt(2), 21); // cut-off 6.5, ramp to 10.5: |k| ≤ 10
  assert.equal(sizeAt(4), 15); // 3.25 + 4 = 7.25: |k| ≤ 7
  assert.equal(sizeAt(4, 1), 9); // 3.25 + 1: |k| ≤ 4
  assert.equal(sizeAt(26 / 22), 26); // the ramp reaches past N/2: every bin
  assert.deepEqual(diffStridePool2d(x, tensor([2, 4]), { smoothness: 4 }).shape, [1, 21, 15, 1]);
  assert.deepEqual(diffStridePool2d(x, tensor([3]), { outputSize: [5, 7] }).shape, [1, 5, 7, 1]);
});

test('the DC bin always has mask 1: each plane keeps its mean for random strides, smoothness and shapes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 }),
      fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 2, maxLength: 2 }),
      fc.array(fc.double({ min: 1, max: 6, noNaN: true }), { minLength: 2, maxLength: 2 }),
      fc.double({ min: 0.5, max: 5, noNaN: true }),
      (rank, sizes, strides, smoothness) => {
        const x = uniformTensor([2, ...sizes.slice(0, rank), 2], sizes[0]! * 13 + sizes[1]!);
        const y = OPS[rank as 1 | 2](x, tensor(strides.slice(0, rank)), { smoothness });
        assertClose(globalAvgPool(y).values, globalAvgPool(x).values, { absolute: 2e-6 });
      },
    ),
    { numRuns: 40, seed: 22 },
  );
});

test('where every kept bin has mask 1 it is spectral pooling, and the strides get no gradient', () => {
  const x = uniformTensor([2, 12, 12, 2], 2);
  // Stride 1.4: cut-off 12/2.8 ≈ 4.29, so |k| ≤ 4 has mask 1 (off the ramp); a 9-cell crop keeps just those.
  const strides = tensor([1.4, 1.4]);
  assertClose(diffStridePool2d(x, strides, { outputSize: 9 }).values, spectralPool2d(x, { outputSize: 9 }).values, {
    absolute: 1e-6,
  });
  gradcheck((input, s) => diffStridePool2d(input!, s!, { outputSize: 9 }), [uniformTensor([1, 12, 12, 1], 3), strides]);
});

test('a layer starts at its strides, keeps them within [N/(N − R), N/2], and fixes its output grid', () => {
  const layer = layers.diffStridePooling2d({ strides: [2, 3], inputShape: [26, 20, 4] }) as Pooling;
  const model = sequential([layer]);
  const weight = layer.parameters[0]!;
  assert.equal(weight.name, 'strides');
  assert.deepEqual(Array.from(weight.tensor.values), [2, 3]);
  assert.deepEqual(layer.computeOutputShape([null, 26, 20, 4]), [null, 21, 15, 4]);
  weight.tensor.values.set([0.5, 100]);
  const output = model.predict(uniformTensor([1, 26, 20, 4], 4)) as Tensor;
  assert.deepEqual(output.shape, [1, 21, 15, 4]); // the grid stays; the mask follows the projected strides
  assertClose(weight.tensor.values, [26 / 22, 10]);
  const free = layers.diffStridePooling2d({ fixedOutput: false, sharedStride: true });
  assert.deepEqual(free.computeOutputShape([null, 26, 26, 32]), [null, null, null, 32]);
  model.dispose();
});

test('training moves the strides (the learned stride is the weight a report prints)', async () => {
  const model = sequential(
    [layers.diffStridePooling1d({ strides: 2, inputShape: [16, 2] }), layers.flatten(), layers.dense({ units: 1 })],
    { seed: 1 },
  );
  const strides = model.layers[0]!.parameters.find((parameter) => parameter.name === 'strides')!.tensor;
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
  const random = new Random(5);
  const x = tensor(
    Array.from({ length: 8 * 16 * 2 }, () => random.uniform() - 0.5),
    [8, 16, 2],
  );
  await model.fit(x, uniformTensor([8, 1], 6), { epochs: 3, batchSize: 4 });
  assert.notEqual(strides.values[0], 2);
  assert.ok(strides.values[0]! >= 16 / 12 && strides.values[0]! <= 8);
  model.dispose();
});

test('bad strides and options are refused, naming the argument', () => {
  const x = uniformTensor([1, 8, 8, 1], 1);
  const refuses = (run: () => Tensor, argument: string) =>
    assert.throws(run, (error: unknown) => error instanceof PoolkitArgumentError && error.argument === argument);
  refuses(() => diffStridePool2d(x, tensor([2, 2, 2]), {}), 'strides');
  refuses(() => diffStridePool2d(x, tensor([2, 0]), {}), 'strides');
  refuses(() => diffStridePool2d(x, tensor([NaN]), {}), 'strides');
  refuses(() => diffStridePool2d(x, tensor([2]), { smoothness: 0 }), 'smoothness');
  refuses(() => diffStridePool2d(x, tensor([2]), { outputSize: 9 }), 'outputSize');
  assert.throws(() => layers.diffStridePooling2d({ strides: [2, 3], sharedStride: true }).build([null, 8, 8, 1]));
});

test('finite differences agree for the input and the strides, 1D to 3D, per axis and shared', () => {
  // Strides away from the points where the support (and so the shape) changes.
  gradcheck((x, s) => diffStridePool1d(x!, s!, { smoothness: 2 }), [uniformTensor([2, 14, 2], 3), tensor([2.3])]);
  gradcheck(
    (x, s) => diffStridePool2d(x!, s!, { smoothness: 1.5 }),
    [uniformTensor([1, 10, 9, 2], 4), tensor([2.2, 1.7])],
  );
  gradcheck(
    (x, s) => diffStridePool3d(x!, s!, { smoothness: 1, dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 1, 5, 6, 4], 5), tensor([1.9])],
  );
});
