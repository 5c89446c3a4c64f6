// Spatial pyramid pooling: a fixed-length output for any input size, hand-worked levels, gradients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PoolkitArgumentError, spatialPyramidPool, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

test('the output is [batch, channels·Σ L²] for every input size, smaller than the finest level too', () => {
  for (const [height, width] of [
    [1, 1],
    [3, 2],
    [4, 4],
    [7, 13],
    [28, 28],
    [31, 17],
  ] as const) {
    const input = tensor(new Float32Array(2 * height * width * 3), [2, height, width, 3]);
    assert.deepEqual(spatialPyramidPool(input, { levels: [1, 2, 4] }).shape, [2, 3 * 21]);
    assert.deepEqual(spatialPyramidPool(input, { levels: [3, 1], mode: 'average' }).shape, [2, 3 * 10]);
  }
});

test('levels [1, 2] over a 4x4 input 1..16, max and average, channelsLast and channelsFirst', () => {
  const values = Array.from({ length: 16 }, (_, index) => index + 1);
  const input = tensor(values, [1, 4, 4, 1]);
  assert.deepEqual(Array.from(spatialPyramidPool(input, { levels: [1, 2] }).values), [16, 6, 8, 14, 16]);
  assertClose(spatialPyramidPool(input, { levels: [1, 2], mode: 'average' }).values, [8.5, 3.5, 5.5, 11.5, 13.5]);
  // two channels, channelsFirst: level blocks are channel-major
  const nchw = tensor([...values, ...values.map((value) => -value)], [1, 2, 4, 4]);
  const output = spatialPyramidPool(nchw, { levels: [1, 2], dataFormat: 'channelsFirst' });
  assert.deepEqual(Array.from(output.values), [16, -1, 6, 8, 14, 16, -1, -3, -9, -11]);
});

test('adaptive windows on a 5-wide axis at level 2 overlap in the middle cell (PyTorch rule)', () => {
  // 1x5 input at level 2: rows [0, 1) twice (L > H repeats the row); columns 0..2 and 2..4 share cell 2
  const input = tensor([1, 5, 2, 4, 3], [1, 1, 5, 1]);
  assert.deepEqual(Array.from(spatialPyramidPool(input, { levels: [2] }).values), [5, 4, 5, 4]);
});

test('gradients match finite differences (max and average)', () => {
  const input = tensor(spacedValues(2 * 5 * 7 * 2, 9), [2, 5, 7, 2]);
  gradcheck((x) => spatialPyramidPool(x, { levels: [1, 2, 3] }), [input]);
  gradcheck((x) => spatialPyramidPool(x, { levels: [1, 2, 4], mode: 'average', dataFormat: 'channelsFirst' }), [input]);
});

test('bad levels and mode are named', () => {
  const input = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  assert.throws(
    () => spatialPyramidPool(input, { levels: [] }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'levels',
  );
  assert.throws(
    () => spatialPyramidPool(input, { levels: [0] }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'levels',
  );
  assert.throws(
    () => spatialPyramidPool(input, { mode: 'sum' as never }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'mode',
  );
  assert.throws(
    () => spatialPyramidPool(tensor([1, 2], [1, 2, 1])),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'input',
  );
});
