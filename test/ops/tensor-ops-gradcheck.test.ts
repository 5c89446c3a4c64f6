// Finite-difference checks of the tensor ops' backward passes: broadcasting add/sub/mul/div,
// sum/mean/max/min over axes, slice and concat; and of binaryCrossentropy and meanAbsoluteError.
import { test } from 'node:test';
import {
  add,
  binaryCrossentropy,
  concat,
  div,
  max,
  mean,
  meanAbsoluteError,
  min,
  mul,
  slice,
  sub,
  sum,
  tensor,
} from '../../src/index.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

test('add, sub, mul and div: gradients of both operands when both broadcast ([2, 1, 3] with [4, 1])', () => {
  const left = uniformTensor([2, 1, 3], 1);
  const right = tensor(
    Float32Array.from(uniformTensor([4, 1], 2).values, (value) => value + Math.sign(value)),
    [4, 1],
  );
  for (const op of [add, sub, mul, div]) gradcheck((a, b) => op(a!, b!), [left, right], { epsilon: 1e-3 });
});

test('mul and div against a scalar operand, and a tensor times itself', () => {
  const x = uniformTensor([3, 2], 3);
  gradcheck((a) => mul(a!, 3), [x]);
  gradcheck((a) => div(2, add(a!, 3)), [x], { epsilon: 1e-3 });
  gradcheck((a) => mul(a!, a!), [x]);
});

test('sum and mean over axes (negative, several, keepDims) and over everything', () => {
  const x = uniformTensor([2, 3, 4], 4);
  gradcheck((a) => sum(a!, [0, -1], true), [x]);
  gradcheck((a) => mean(a!, 1), [x]);
  gradcheck((a) => mean(a!), [x]);
});

test('max and min send the gradient to the extreme cell of each reduced group', () => {
  // Values spaced 0.1 apart: the differences (step 0.01) never swap an extreme.
  const x = tensor(spacedValues(24, 5), [2, 3, 4]);
  gradcheck((a) => max(a!, -1), [x]);
  gradcheck((a) => min(a!, [0, 2], true), [x]);
  gradcheck((a) => max(a!), [x]);
});

test('slice and concat route gradients to the cells they copied', () => {
  const x = uniformTensor([3, 4, 2], 6);
  gradcheck((a) => slice(a!, [1, 0, 1], [-1, 3, 1]), [x]);
  const y = uniformTensor([3, 1, 2], 7);
  gradcheck((a, b) => concat([a!, b!, a!], 1), [x, y]);
});

test('binaryCrossentropy (probabilities and logits) and meanAbsoluteError: both inputs', () => {
  const probabilities = tensor(
    Float32Array.from(uniformTensor([3, 2], 8).values, (value) => 0.5 + 0.4 * value),
    [3, 2],
  );
  const targets = tensor(
    Float32Array.from(uniformTensor([3, 2], 9).values, (value) => 0.5 + 0.5 * value),
    [3, 2],
  );
  gradcheck((p, t) => binaryCrossentropy(p!, t!), [probabilities, targets], { epsilon: 1e-3 });
  gradcheck((x, t) => binaryCrossentropy(x!, t!, { fromLogits: true }), [uniformTensor([3, 2], 10), targets]);
  gradcheck((p, t) => meanAbsoluteError(p!, t!), [uniformTensor([2, 3], 11), uniformTensor([2, 3], 12)], {
    epsilon: 1e-3,
  });
});
