// iSQRT-COV covariance pooling against PyTorch golden files (test/golden/covariance: fast-MPN-COV's
// Covpool, Sqrtm and Triuvec transcribed), the matrix square root it converges to, hand-worked
// values, zero covariance, NaN, the seed CNN's Flatten→Dense, and finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  covariancePool,
  layers,
  PoolkitArgumentError,
  requireGrad,
  sequential,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { checkLayoutCase, readGoldenCases } from '../helpers/golden-cases.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

test('equals fast-MPN-COV in PyTorch (float64): forward and input gradient, 1 to 12 iterations', () => {
  const golden = readGoldenCases(new URL('../golden/covariance/cases.json', import.meta.url));
  assert.equal(golden.length, 7);
  for (const entry of golden)
    checkLayoutCase(entry, (x) => covariancePool(x, entry.options), { absolute: 1e-5, relative: 1e-4 });
});

test('one channel: A = 1 is a fixed point, so the output is the standard deviation', () => {
  assertClose(covariancePool(tensor([1, 3, 0, 4], [2, 2, 1])).values, [1, 2]);
});

/** The symmetric C×C matrix whose upper triangle (row-major) is `triangle`. */
function symmetric(triangle: ArrayLike<number>, size: number): Float64Array {
  const matrix = new Float64Array(size * size);
  let index = 0;
  for (let row = 0; row < size; row++)
    for (let column = row; column < size; column++) {
      matrix[row * size + column] = triangle[index]!;
      matrix[column * size + row] = triangle[index++]!;
    }
  return matrix;
}

test('with many iterations the output squared is the covariance (the iteration converges to Σ^½)', () => {
  const [cells, size] = [20, 4];
  const x = uniformTensor([1, cells, size], 9); // channelsLast: [batch, steps, channels]
  const root = symmetric(covariancePool(x, { iterations: 40 }).values, size);
  const columns = Array.from({ length: size }, (_, channel) =>
    Array.from({ length: cells }, (_, cell) => x.values[cell * size + channel]!),
  );
  const means = columns.map((column) => column.reduce((a, b) => a + b, 0) / cells);
  for (let row = 0; row < size; row++)
    for (let column = 0; column < size; column++) {
      let covariance = 0;
      for (let cell = 0; cell < cells; cell++)
        covariance += (columns[row]![cell]! - means[row]!) * (columns[column]![cell]! - means[column]!);
      let square = 0;
      for (let inner = 0; inner < size; inner++) square += root[row * size + inner]! * root[inner * size + column]!;
      assert.ok(Math.abs(square - covariance / cells) < 1e-5, `Σ[${row}][${column}]`);
    }
});

test('zero covariance (constant channels, one cell) outputs zeros and a zero gradient; NaN makes NaN', () => {
  const constant = requireGrad(tensor(new Float32Array(2 * 3 * 3 * 2).fill(0.5), [2, 3, 3, 2]));
  const y = covariancePool(constant);
  assert.deepEqual(Array.from(y.values), new Array(6).fill(0));
  backward(y, uniformTensor([2, 3], 1));
  assert.deepEqual(Array.from(constant.grad!.values), new Array(constant.size).fill(0));
  assert.deepEqual(Array.from(covariancePool(uniformTensor([1, 1, 1, 3], 2)).values), new Array(6).fill(0));
  const poisoned = uniformTensor([2, 3, 2], 3);
  poisoned.values[0] = NaN;
  const output = covariancePool(poisoned).values;
  assert.ok(Array.from(output.slice(0, 3)).every(Number.isNaN));
  assert.ok(Array.from(output.slice(3)).every(Number.isFinite));
});

test('fits the seed CNN: Conv2D → covariance (528 values for 32 channels) → Flatten → Dense', () => {
  const model = sequential([
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
    layers.globalCovariancePooling2d(),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  const output = model.predict(uniformTensor([2, 8, 8, 1], 4)) as Tensor;
  assert.deepEqual(output.shape, [2, 10]);
  assert.deepEqual(layers.globalCovariancePooling2d().computeOutputShape([null, 26, 26, 32]), [null, 528]);
  assert.throws(
    () => covariancePool(uniformTensor([1, 4, 4, 2], 1), { iterations: 0 }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'iterations',
  );
  model.dispose();
});

test('finite differences agree in 1D, 2D and 3D, through 1 and 5 iterations', () => {
  gradcheck((x) => covariancePool(x!, { iterations: 1 }), [uniformTensor([2, 5, 3], 3)]);
  gradcheck((x) => covariancePool(x!), [uniformTensor([1, 3, 3, 4], 4)], { epsilon: 3e-3 });
  gradcheck((x) => covariancePool(x!, { dataFormat: 'channelsFirst' }), [uniformTensor([1, 3, 2, 2, 3], 5)], {
    epsilon: 3e-3,
  });
});
