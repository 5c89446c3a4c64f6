// Hand-worked examples of the tensor ops (broadcasting, reductions, argMax, slice, concat), the
// semantics their doc comments promise (ties, NaN, empty reductions) and the errors they throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  add,
  argMax,
  argMin,
  concat,
  divide,
  max,
  mean,
  min,
  multiply,
  mul,
  PoolkitArgumentError,
  reshape,
  slice,
  sub,
  subtract,
  sum,
  tensor,
  zeros,
} from '../../src/index.js';

const matrix = () =>
  tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

test('broadcasting: a column against a row, a number as a scalar, and the aliases', () => {
  const column = tensor([[10], [20]]);
  assert.deepEqual(add(matrix(), column).arraySync(), [
    [11, 12, 13],
    [24, 25, 26],
  ]);
  assert.deepEqual(sub(10, tensor([1, 2])).arraySync(), [9, 8]);
  assert.deepEqual(divide(tensor([1, -1, 0]), 0).arraySync(), [Infinity, -Infinity, NaN]);
  assert.equal(mul, multiply);
  assert.equal(sub, subtract);
  assert.deepEqual(add(tensor([[1], [2]]), tensor([10, 20, 30])).shape, [2, 3]);
});

test('broadcasting errors name both shapes', () => {
  assert.throws(
    () => add(zeros([2, 3]), zeros([2])),
    /add: b must broadcast against a's shape \[2, 3\].*got 'shape \[2\]'/,
  );
  assert.throws(() => multiply(zeros([2]), 'x' as never), PoolkitArgumentError);
});

test('sum, mean, max and min: positional axis and keepDims, or the options object, give the same', () => {
  assert.deepEqual(sum(matrix(), 1).arraySync(), [6, 15]);
  assert.deepEqual(sum(matrix(), { axis: 1 }).arraySync(), [6, 15]);
  assert.deepEqual(mean(matrix(), 0, true).arraySync(), [[2.5, 3.5, 4.5]]);
  assert.deepEqual(mean(matrix(), { axis: 0, keepDims: true }).arraySync(), [[2.5, 3.5, 4.5]]);
  assert.deepEqual(max(matrix(), [-1, 0]).arraySync(), 6);
  assert.deepEqual(min(matrix(), -1).arraySync(), [1, 4]);
  assert.equal(sum(matrix()).arraySync(), 21);
});

test('reductions: NaN propagates through max and min; empty max is -Infinity, sum 0, mean NaN', () => {
  assert.ok(Number.isNaN(max(tensor([1, NaN, 3])).arraySync() as number));
  assert.ok(Number.isNaN(min(tensor([NaN, 1])).arraySync() as number));
  const empty = zeros([2, 0]);
  assert.deepEqual(max(empty, 1).arraySync(), [-Infinity, -Infinity]);
  assert.deepEqual(min(empty, 1).arraySync(), [Infinity, Infinity]);
  assert.deepEqual(sum(empty, 1).arraySync(), [0, 0]);
  assert.ok((mean(empty, 1).arraySync() as number[]).every(Number.isNaN));
});

test('reduction errors: axis out of range, not an integer, keepDims twice, unknown option', () => {
  assert.throws(() => sum(matrix(), 2), /sum: axis must be an integer in \[-2, 2\), got 2/);
  assert.throws(() => mean(matrix(), [0, 1.5]), /mean: axis must be an integer/);
  assert.throws(() => max(tensor(1, []), 0), /must be absent for a scalar/);
  assert.throws(() => sum(matrix(), { axis: 0 }, true), /keepDims must go inside the options object/);
  assert.throws(
    () => sum(matrix(), { axis: 0, keep_dims: true } as never),
    /sum: options has no 'keep_dims'; did you mean 'keepDims'\?/,
  );
  assert.throws(() => sum(matrix(), 0, 'yes' as never), /keepDims must be a boolean/);
});

test('argMax and argMin: int32 indices, the first of ties, NaN counts as the extreme', () => {
  const result = argMax(
    tensor([
      [1, 3, 3],
      [2, 2, 0],
    ]),
    1,
  );
  assert.equal(result.dtype, 'int32');
  assert.deepEqual(result.arraySync(), [1, 0]);
  assert.deepEqual(argMax(matrix()).arraySync(), [1, 1, 1]);
  assert.deepEqual(argMin(tensor([[4, 1, 1]]), -1).arraySync(), [1]);
  assert.deepEqual(argMax(tensor([1, NaN, 5, NaN])).arraySync(), 1);
  assert.throws(() => argMax(matrix(), 2), /argMax: axis must be an integer in \[-2, 2\)/);
  assert.throws(() => argMax(zeros([2, 0]), 1), /must not be empty along axis 1/);
  assert.throws(() => argMax(tensor(1, [])), /argMax: x must have rank at least 1/);
});

test('slice: begin and size lists, a number for the first axis, -1 to the end; int32 too', () => {
  assert.deepEqual(slice(matrix(), [0, 1], [2, -1]).arraySync(), [
    [2, 3],
    [5, 6],
  ]);
  assert.deepEqual(slice(matrix(), 1).arraySync(), [[4, 5, 6]]);
  assert.deepEqual(slice(matrix(), [0, 2]).arraySync(), [[3], [6]]);
  const indices = slice(tensor([5, 6, 7], [3], 'int32'), [1], [2]);
  assert.equal(indices.dtype, 'int32');
  assert.deepEqual(indices.arraySync(), [6, 7]);
  assert.deepEqual(slice(matrix(), [0, 3], [2, 0]).shape, [2, 0]);
});

test('slice errors: begin outside the tensor, size past the end, too many axes', () => {
  assert.throws(() => slice(matrix(), [0, 4]), /slice: begin must hold integers in \[0, extent\]/);
  assert.throws(() => slice(matrix(), [-1, 0]), /slice: begin must hold integers/);
  assert.throws(
    () => slice(matrix(), [1, 1], [2, 1]),
    /slice: size must hold -1 or integers with begin \+ size <= extent/,
  );
  assert.throws(() => slice(matrix(), [0, 0, 0]), /at most 2 integers/);
  assert.throws(() => slice(tensor(1, []), []), /slice: x must have rank at least 1/);
});

test('concat: along any axis (negative too), int32 pieces, and its errors', () => {
  assert.deepEqual(concat([matrix(), tensor([[7], [8]])], -1).arraySync(), [
    [1, 2, 3, 7],
    [4, 5, 6, 8],
  ]);
  assert.deepEqual(concat([tensor([1], [1], 'int32'), tensor([2, 3], [2], 'int32')]).arraySync(), [1, 2, 3]);
  assert.throws(() => concat([]), /concat: tensors must be a non-empty list/);
  assert.throws(
    () => concat([matrix(), zeros([3, 3])], 1),
    /tensors\[1\] must have the shape of tensors\[0\] \[2, 3\] except along axis 1/,
  );
  assert.throws(() => concat([tensor([1]), tensor([1], [1], 'int32')]), /tensors\[1\] must be float32/);
  assert.throws(() => concat([matrix()], 2), /concat: axis must be an integer in \[-2, 2\)/);
  assert.throws(() => concat([tensor(1, [])]), /scalars cannot be joined/);
});

test('reshape works on int32 tensors as well', () => {
  assert.deepEqual(reshape(tensor([1, 2, 3, 4], [4], 'int32'), [2, 2]).arraySync(), [
    [1, 2],
    [3, 4],
  ]);
});

test('arithmetic and reductions take float32 only, saying so; disposed inputs are refused', () => {
  const ints = tensor([1, 2], [2], 'int32');
  assert.throws(() => add(ints, 1), /add: a must be a float32 tensor, got 'int32'/);
  assert.throws(() => sum(ints), /sum: input must be a float32 tensor/);
  assert.throws(() => argMax(ints), /argMax: x must be a float32 tensor/);
  const gone = tensor([1, 2]);
  gone.dispose();
  assert.throws(() => slice(gone, [0]), /slice: x must not be disposed, got 'Tensor float32 \[2\]'/);
  assert.throws(() => concat([gone]), /concat: tensors\[0\] must not be disposed/);
});
