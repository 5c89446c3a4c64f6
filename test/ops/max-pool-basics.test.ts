// The seed articles' worked examples and the max-pool semantics that the docs promise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, maxPool2d, memoryStats, requireGrad, tensor, tidy } from '../../src/index.js';

test('seed article: 4x4 input 1..16, 2x2 VALID max pool gives [[6, 8], [14, 16]]', () => {
  const input = tensor(
    Array.from({ length: 16 }, (_, index) => index + 1),
    [1, 4, 4, 1],
  );
  const output = maxPool2d(input, { kernelSize: 2 });
  assert.deepEqual(output.shape, [1, 2, 2, 1]);
  assert.deepEqual(Array.from(output.values), [6, 8, 14, 16]);
});

test('max pool propagates NaN and the last NaN is the argmax', () => {
  const input = tensor([1, NaN, NaN, 0], [1, 1, 4, 1]);
  const { output, indices } = maxPool2d(input, { kernelSize: [1, 4], returnIndices: true });
  assert.ok(Number.isNaN(output.values[0]));
  assert.equal(indices.intValues[0], 2);
});

test('the first of tied maxima gets the gradient', () => {
  const input = requireGrad(tensor([5, 5, 5, 5], [1, 2, 2, 1]));
  const output = maxPool2d(input, { kernelSize: 2 });
  backward(output);
  assert.deepEqual(Array.from(input.grad!.values), [1, 0, 0, 0]);
});

test('channelsFirst gives the same numbers as channelsLast, transposed', () => {
  const nhwc = tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
  const nchw = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
  assert.deepEqual(Array.from(maxPool2d(nhwc, { kernelSize: 2 }).values), [4, 40]);
  assert.deepEqual(Array.from(maxPool2d(nchw, { kernelSize: 2, dataFormat: 'channelsFirst' }).values), [4, 40]);
});

test('a max pool made inside tidy() can back-propagate after it: tidy keeps the saved argmax', () => {
  const input = requireGrad(tensor([1, 3, 2, 4], [1, 2, 2, 1]));
  const output = tidy(() => maxPool2d(input, { kernelSize: 2 }));
  backward(output);
  assert.deepEqual(Array.from(input.grad!.values), [0, 0, 0, 1]);
});

test('tidy disposes what its result does not need', () => {
  const before = memoryStats().bytesUndisposed;
  tidy(() => {
    const input = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    maxPool2d(input, { kernelSize: 2 });
  });
  assert.equal(memoryStats().bytesUndisposed, before);
});
