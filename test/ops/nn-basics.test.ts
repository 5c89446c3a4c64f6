// Hand-worked examples of the nn ops and the semantics their doc comments promise, and the
// argument errors they throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  add,
  batchNormalization,
  categoricalCrossEntropy,
  conv2d,
  dropout,
  logSoftmax,
  matmul,
  mean,
  meanSquaredError,
  ones,
  PoolkitArgumentError,
  Random,
  relu,
  softmax,
  sparseCategoricalCrossEntropy,
  sparseSoftmaxCrossEntropy,
  sum,
  tensor,
  transpose,
  zeros,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

test('relu keeps NaN and zeroes negatives', () => {
  const output = relu(tensor([-2, 0, 3, NaN], [4]));
  assert.deepEqual(Array.from(output.values).slice(0, 3), [0, 0, 3]);
  assert.ok(Number.isNaN(output.values[3]));
});

test('softmax and logSoftmax are stable for huge logits', () => {
  assertClose(softmax(tensor([[1000, 1000, -1000]])).values, [0.5, 0.5, 0]);
  assertClose(logSoftmax(tensor([[1000, 0]])).values, [0, -1000]);
});

test('sparseSoftmaxCrossEntropy: ln 2 for two equal logits; mean over rows; int32 labels work', () => {
  assertClose(sparseSoftmaxCrossEntropy(tensor([[0, 0]]), tensor([1], [1])).values, [Math.LN2]);
  const logits = tensor([
    [0, 0],
    [10, -10],
  ]);
  const expected = (Math.LN2 + Math.log1p(Math.exp(-20))) / 2;
  assertClose(sparseSoftmaxCrossEntropy(logits, tensor([0, 0], [2], 'int32')).values, [expected]);
});

test('cross-entropy losses reject labels outside [0, classes) and non-integers', () => {
  const logits = zeros([2, 3]);
  assert.throws(() => sparseSoftmaxCrossEntropy(logits, tensor([0, 3], [2])), PoolkitArgumentError);
  assert.throws(() => sparseSoftmaxCrossEntropy(logits, tensor([0, 1.5], [2])), PoolkitArgumentError);
  assert.throws(() => sparseSoftmaxCrossEntropy(logits, tensor([0], [1])), /labels must have shape \[2\]/);
});

test('categorical cross-entropy clips at 1e-7 (Keras) and renormalises rows', () => {
  assertClose(categoricalCrossEntropy(tensor([[1, 0]]), tensor([[0, 1]])).values, [-Math.log(1e-7)], {
    relative: 1e-5,
  });
  // Rows summing to 2 are halved first: p = [0.5, 0.5].
  assertClose(categoricalCrossEntropy(tensor([[1, 1]]), tensor([[1, 0]])).values, [Math.LN2]);
  assertClose(sparseCategoricalCrossEntropy(tensor([[0.25, 0.75]]), tensor([1], [1])).values, [-Math.log(0.75)]);
});

test('meanSquaredError is the mean over every element', () => {
  assertClose(meanSquaredError(tensor([1, 2, 3, 4], [2, 2]), tensor([1, 0, 3, 0], [2, 2])).values, [(4 + 16) / 4]);
});

test('dropout: inverted scaling, about rate dropped, and the same mask from the same seed', () => {
  const input = ones([10000]);
  const first = dropout(input, 0.3, new Random(5)).values;
  const second = dropout(input, 0.3, new Random(5)).values;
  assert.deepEqual(first, second);
  const kept = first.filter((value) => value !== 0);
  assert.ok(kept.every((value) => Math.abs(value - 1 / 0.7) < 1e-6));
  assert.ok(Math.abs(kept.length / 10000 - 0.7) < 0.02, `kept ${kept.length}`);
  assert.equal(dropout(input, 0, new Random(1)), input);
  assert.throws(() => dropout(input, 1, new Random(1)), PoolkitArgumentError);
});

test('batchNormalization: batch statistics when training, moving averages with momentum 0.99', () => {
  const input = tensor([1, 10, 3, 20], [2, 2]); // channel 0: 1, 3; channel 1: 10, 20
  const movingMean = zeros([2]);
  const movingVariance = ones([2]);
  const output = batchNormalization(input, { movingMean, movingVariance, training: true });
  const scale = (variance: number) => 1 / Math.sqrt(variance + 1e-3);
  assertClose(output.values, [-scale(1), -5 * scale(25), scale(1), 5 * scale(25)], { relative: 1e-5 });
  assertClose(movingMean.values, [0.01 * 2, 0.01 * 15]);
  assertClose(movingVariance.values, [0.99 + 0.01 * 1, 0.99 + 0.01 * 25]);
  const inference = batchNormalization(input, { movingMean, movingVariance, training: false });
  assertClose(inference.values.subarray(0, 1), [(1 - 0.02) / Math.sqrt(1 + 1e-3)], { relative: 1e-5 });
});

test('conv2d: a 2x2 filter of ones over a 3x3 input sums each window, plus bias', () => {
  const input = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const output = conv2d(input, ones([2, 2, 1, 1]), tensor([0.5], [1]));
  assert.deepEqual(output.shape, [1, 2, 2, 1]);
  assertClose(output.values, [12.5, 16.5, 24.5, 28.5]);
  const same = conv2d(input, ones([3, 3, 1, 1]), null, { padding: 'same', stride: 2 });
  assert.deepEqual(same.shape, [1, 2, 2, 1]);
  assertClose(same.values, [12, 16, 24, 28]);
});

test('conv2d and matmul reject mismatched shapes', () => {
  assert.throws(() => conv2d(zeros([1, 4, 4, 2]), zeros([3, 3, 3, 1])), /3 input channels|2 input channels/);
  assert.throws(() => conv2d(zeros([1, 4, 4, 2]), zeros([3, 3, 2])), PoolkitArgumentError);
  assert.throws(() => matmul(zeros([2, 3]), zeros([2, 3])), PoolkitArgumentError);
  assert.throws(() => add(zeros([2, 3]), zeros([2])), PoolkitArgumentError);
});

test('transpose, sum and mean by hand', () => {
  const matrix = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(transpose(matrix).toArray(), [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
  assert.deepEqual(sum(matrix, { axis: 0 }).toArray(), [5, 7, 9]);
  assert.deepEqual(mean(matrix, { axis: -1, keepDims: true }).toArray(), [[2], [5]]);
  assert.deepEqual(sum(matrix).toArray(), 21);
});
