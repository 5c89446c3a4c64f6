// Hand-worked examples of adaptive pooling, global pooling and max unpooling: PyTorch's window rule,
// null axes, Keras's global output shape, ONNX's Lp norm, and the max-pool / max-unpool round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  backward,
  globalAvgPool,
  globalLpPool,
  globalMaxPool,
  maxPool2d,
  maxUnpool1d,
  maxUnpool2d,
  requireGrad,
  tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

const range = (count: number, start = 0): number[] => Array.from({ length: count }, (_, index) => start + index);

test('adaptive average 7 → 3 pools [0, 3), [2, 5), [4, 7): windows overlap', () => {
  const output = adaptiveAvgPool1d(tensor(range(7), [1, 7, 1]), { outputSize: 3 });
  assert.deepEqual(Array.from(output.values), [1, 3, 5]);
});

test('adaptive max 5 → 4 pools [0, 2), [1, 3), [2, 4), [3, 5), with indices', () => {
  const input = tensor([3, 1, 4, 1, 5], [1, 1, 5]);
  const { output, indices } = adaptiveMaxPool1d(input, {
    outputSize: 4,
    returnIndices: true,
    dataFormat: 'channelsFirst',
  });
  assert.deepEqual(Array.from(output.values), [3, 4, 4, 5]);
  assert.deepEqual(Array.from(indices.intValues), [0, 2, 2, 4]);
});

test('an output larger than the input repeats cells: 2 → 3 pools [0, 1), [0, 2), [1, 2)', () => {
  const input = tensor([10, 20], [1, 2, 1]);
  assert.deepEqual(Array.from(adaptiveAvgPool1d(input, { outputSize: 3 }).values), [10, 15, 20]);
  assert.deepEqual(Array.from(adaptiveMaxPool1d(input, { outputSize: 3 }).values), [10, 20, 20]);
});

test('a null outputSize entry keeps that axis', () => {
  const input = tensor(range(12), [1, 4, 3, 1]);
  const output = adaptiveAvgPool2d(input, { outputSize: [2, null] });
  assert.deepEqual(output.shape, [1, 2, 3, 1]);
  assert.deepEqual(Array.from(output.values), [1.5, 2.5, 3.5, 7.5, 8.5, 9.5]);
});

test('adaptive average backward shares each gradient over its window; overlapping cells add up', () => {
  const input = requireGrad(tensor(range(7), [1, 7, 1]));
  backward(adaptiveAvgPool1d(input, { outputSize: 3 }), tensor([3, 6, 9], [1, 3, 1]));
  assertClose(input.grad!.values, [1, 1, 1 + 2, 2, 2 + 3, 3, 3]);
});

test('adaptive max: NaN wins and propagates, the first of tied maxima gets the gradient', () => {
  const input = requireGrad(tensor([5, 5, 1, NaN, 2, 2], [1, 2, 3, 1]));
  const { output, indices } = adaptiveMaxPool2d(input, { outputSize: [1, 1], returnIndices: true });
  assert.ok(Number.isNaN(output.values[0]));
  assert.equal(indices.intValues[0], 3);
  const tied = requireGrad(tensor([5, 5, 1, 0, 2, 2], [1, 2, 3, 1]));
  backward(adaptiveMaxPool2d(tied, { outputSize: 1 }));
  assert.deepEqual(Array.from(tied.grad!.values), [1, 0, 0, 0, 0, 0]);
});

test('global pooling gives [batch, channels] as Keras, or keeps size-1 spatial axes', () => {
  const nhwc = tensor(range(2 * 3 * 3 * 4), [2, 3, 3, 4]);
  assert.deepEqual(globalMaxPool(nhwc).shape, [2, 4]);
  assert.deepEqual(globalAvgPool(nhwc, { keepDims: true }).shape, [2, 1, 1, 4]);
  assert.deepEqual(globalMaxPool(nhwc, { keepDims: true, dataFormat: 'channelsFirst' }).shape, [2, 3, 1, 1]);
  assert.deepEqual(Array.from(globalMaxPool(nhwc).values), [32, 33, 34, 35, 68, 69, 70, 71]);
  assert.deepEqual(Array.from(globalAvgPool(nhwc).values), [16, 17, 18, 19, 52, 53, 54, 55]);
  assert.deepEqual(globalAvgPool(tensor(range(6), [1, 2, 3])).shape, [1, 3]); // 1D, channels last
  assert.deepEqual(globalAvgPool(tensor(range(8), [1, 2, 2, 2, 1]), { keepDims: true }).shape, [1, 1, 1, 1, 1]);
});

test('globalLpPool is ONNX GlobalLpPool: (Σ |x|^p)^(1/p), p = 2 by default', () => {
  const input = tensor([3, -4, 0, 0], [1, 2, 2, 1]);
  assertClose(globalLpPool(input).values, [5]);
  assertClose(globalLpPool(input, { p: 1 }).values, [7]);
  assertClose(globalLpPool(input, { p: 3 }).values, [Math.cbrt(27 + 64)]);
  const leaf = requireGrad(tensor([3, -4, 0, 0], [1, 4, 1]));
  backward(globalLpPool(leaf));
  assertClose(leaf.grad!.values, [0.6, -0.8, 0, 0]); // x / ‖x‖
  const zero = requireGrad(tensor([0, 0], [1, 2, 1]));
  backward(globalLpPool(zero));
  assert.deepEqual(Array.from(zero.grad!.values), [0, 0]); // 0 where the norm is 0, not NaN
});

test('max unpool puts the maxima of a 2x2 max pool back in place (the seed example)', () => {
  const input = tensor(range(16, 1), [1, 4, 4, 1]);
  const { output, indices } = maxPool2d(input, { kernelSize: 2, returnIndices: true });
  const restored = maxUnpool2d(output, indices, { kernelSize: 2 });
  assert.deepEqual(restored.shape, [1, 4, 4, 1]);
  assert.deepEqual(Array.from(restored.values), [0, 0, 0, 0, 0, 6, 0, 8, 0, 0, 0, 0, 0, 14, 0, 16]);
});

test('max unpool: explicit outputSize recovers an odd size; backward gathers at the indices', () => {
  const input = requireGrad(tensor([7, 9], [1, 1, 2]));
  const indices = tensor([1, 4], [1, 1, 2], 'int32');
  const options = { kernelSize: 2, outputSize: 5, dataFormat: 'channelsFirst' as const };
  const output = maxUnpool1d(input, indices, options);
  assert.deepEqual(Array.from(output.values), [0, 7, 0, 0, 9]);
  backward(output, tensor([10, 20, 30, 40, 50], [1, 1, 5]));
  assert.deepEqual(Array.from(input.grad!.values), [20, 50]);
});

test('max unpool: of repeated indices the later value wins', () => {
  const output = maxUnpool1d(tensor([1, 2, 3], [1, 3, 1]), tensor([0, 0, 5], [1, 3, 1], 'int32'), { kernelSize: 2 });
  assert.deepEqual(Array.from(output.values), [2, 0, 0, 0, 0, 3]);
});
