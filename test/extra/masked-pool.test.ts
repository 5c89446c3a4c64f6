// Masked pooling over padded sequences: padded steps never count and get no gradient; length 0 is
// defined; lengths and masks agree; gradients match finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, maskedPool1d, PoolkitArgumentError, requireGrad, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

// batch 2, time 3, features 2; example 0 has 2 steps, example 1 has 3
const values = [1, -4, 3, 2, 100, 100, -1, 5, 2, 0, 4, -3];

test('hand-worked max, average and L2 over valid steps only', () => {
  const input = tensor(values, [2, 3, 2]);
  const lengths = [2, 3];
  assert.deepEqual(Array.from(maskedPool1d(input, { lengths }).values), [3, 2, 4, 5]);
  assertClose(maskedPool1d(input, { lengths, mode: 'average' }).values, [2, -1, 5 / 3, 2 / 3]);
  assertClose(maskedPool1d(input, { lengths, mode: 'lp' }).values, [
    Math.sqrt(10),
    Math.sqrt(20),
    Math.sqrt(21),
    Math.sqrt(34),
  ]);
  assertClose(maskedPool1d(input, { lengths, mode: 'lp', p: 1 }).values, [4, 6, 7, 8]);
});

test('changing padded steps changes nothing, and their gradient is 0', () => {
  for (const mode of ['max', 'average', 'lp'] as const) {
    const changed = [...values];
    changed[4] = -7;
    changed[5] = 1e6;
    const first = requireGrad(tensor(values, [2, 3, 2]));
    const second = tensor(changed, [2, 3, 2]);
    const output = maskedPool1d(first, { lengths: [2, 3], mode });
    assert.deepEqual(Array.from(output.values), Array.from(maskedPool1d(second, { lengths: [2, 3], mode }).values));
    backward(output, tensor([1, 1, 1, 1], [2, 2]));
    assert.deepEqual([first.grad!.values[4], first.grad!.values[5]], [0, 0], mode);
  }
});

test('a mask may be any pattern, and a prefix mask equals lengths', () => {
  const input = tensor(values, [2, 3, 2]);
  const prefix = tensor([1, 1, 0, 1, 1, 1], [2, 3]);
  for (const mode of ['max', 'average', 'lp'] as const) {
    assert.deepEqual(
      Array.from(maskedPool1d(input, { mask: prefix, mode }).values),
      Array.from(maskedPool1d(input, { lengths: [2, 3], mode }).values),
    );
  }
  // example 0 keeps steps 1, 2: max(3, 100)·(2, 100) → [100, 100]; example 1 keeps steps 0, 2: [max(-1, 4), max(5, -3)]
  const holes = tensor([0, 1, 1, 1, 0, 1], [2, 3], 'int32');
  assert.deepEqual(Array.from(maskedPool1d(input, { mask: holes }).values), [100, 100, 4, 5]);
});

test('a sequence of length 0 outputs 0 and passes no gradient, in every mode', () => {
  for (const mode of ['max', 'average', 'lp'] as const) {
    const input = requireGrad(tensor(values, [2, 3, 2]));
    const output = maskedPool1d(input, { lengths: [0, 3], mode });
    assert.deepEqual([output.values[0], output.values[1]], [0, 0]);
    backward(output, tensor([1, 1, 1, 1], [2, 2]));
    assert.deepEqual(Array.from(input.grad!.values.slice(0, 6)), [0, 0, 0, 0, 0, 0]);
  }
});

test('gradients match finite differences in every mode', () => {
  const input = tensor(spacedValues(3 * 5 * 4, 2, 0.3), [3, 5, 4]);
  gradcheck((x) => maskedPool1d(x, { lengths: [5, 2, 3] }), [input]);
  gradcheck((x) => maskedPool1d(x, { lengths: [1, 4, 5], mode: 'average' }), [input]);
  gradcheck(
    (x) => maskedPool1d(x, { mask: tensor([1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1], [3, 5]), mode: 'lp', p: 3 }),
    [input],
  );
});

test('bad arguments name the argument', () => {
  const input = tensor(values, [2, 3, 2]);
  const argument = (options: object, x = input): string => {
    try {
      maskedPool1d(x, options as never);
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.argument;
    }
    return 'no error';
  };
  assert.equal(argument({}), 'lengths');
  assert.equal(argument({ lengths: [1, 4] }), 'lengths');
  assert.equal(argument({ lengths: [1] }), 'lengths');
  assert.equal(argument({ mask: tensor([1, 1, 1], [1, 3]) }), 'mask');
  assert.equal(argument({ mask: tensor([1, 2, 1, 1, 1, 1], [2, 3]) }), 'mask');
  assert.equal(argument({ lengths: [1, 2], mode: 'median' }), 'mode');
  assert.equal(argument({ lengths: [1, 2], mode: 'lp', p: 0.5 }), 'p');
  assert.equal(argument({ lengths: [1] }, tensor([1, 2], [1, 2])), 'input');
});
