// Stochastic pooling: sampling frequencies, the inference formula, the defined edge cases,
// seeded determinism, finite-difference gradients and argument errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, PoolkitArgumentError, Random, requireGrad, stochasticPool2d, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck } from '../helpers/gradcheck.js';

/** `copies` channels, each holding the 2x2 window `window` (channelsLast [1, 2, 2, copies]). */
function repeatedWindow(window: number[], copies: number): number[] {
  return window.flatMap((value) => Array<number>(copies).fill(value));
}

test('training draws each cell with probability a_i / Σa (within 5 standard deviations over 20000 draws)', () => {
  const copies = 20000;
  const input = tensor(repeatedWindow([1, 2, 3, 4], copies), [1, 2, 2, copies]);
  const output = stochasticPool2d(input, { kernelSize: 2, training: true, seed: 11 });
  const counts = new Map<number, number>();
  for (const value of output.values) counts.set(value, (counts.get(value) ?? 0) + 1);
  for (const value of [1, 2, 3, 4]) {
    const probability = value / 10;
    const observed = (counts.get(value) ?? 0) / copies;
    const bound = 5 * Math.sqrt((probability * (1 - probability)) / copies);
    assert.ok(Math.abs(observed - probability) < bound, `cell ${value}: ${observed} vs ${probability} ± ${bound}`);
  }
});

test('training never draws a zero or negative cell when a positive one exists', () => {
  const copies = 2000;
  const output = stochasticPool2d(tensor(repeatedWindow([0, -5, 2, 0], copies), [1, 2, 2, copies]), {
    kernelSize: 2,
    training: true,
    seed: 3,
  });
  assert.ok(output.values.every((value) => value === 2));
});

test('inference is Σ a² / Σ a on a hand-worked window, negatives counting as 0', () => {
  // [1, 2, 3, 4]: (1 + 4 + 9 + 16) / 10 = 3;  [-1, 2, 0, 2]: (4 + 4) / 4 = 2
  const input = tensor([1, -1, 2, 2, 3, 0, 4, 2], [1, 2, 2, 2]);
  assert.deepEqual(Array.from(stochasticPool2d(input, { kernelSize: 2 }).values), [3, 2]);
});

test('an all-zero (or all-negative) window outputs 0 and sends its gradient to its first cell if not negative', () => {
  for (const training of [false, true]) {
    const input = requireGrad(tensor([0, -1, 0, -2, 0, -3, 0, -4], [1, 2, 2, 2]));
    const output = stochasticPool2d(input, { kernelSize: 2, training, seed: 1 });
    assert.deepEqual(Array.from(output.values), [0, 0]);
    backward(output, tensor([5, 7], [1, 1, 1, 2]));
    assert.deepEqual(Array.from(input.grad!.values), [5, 0, 0, 0, 0, 0, 0, 0], `training ${training}`);
  }
});

test('a window holding NaN outputs NaN in both modes', () => {
  const input = tensor([1, NaN, 2, 3], [1, 2, 2, 1]);
  assert.ok(Number.isNaN(stochasticPool2d(input, { kernelSize: 2 }).values[0]));
  assert.ok(Number.isNaN(stochasticPool2d(input, { kernelSize: 2, training: true, seed: 1 }).values[0]));
});

test('same seed gives the same draws; another seed other draws; a Random continues its sequence', () => {
  const input = tensor(
    Array.from({ length: 4 * 64 }, (_, index) => 1 + (index % 5)),
    [1, 2, 2, 64],
  );
  const draw = (options: { seed?: number; random?: Random }) =>
    Array.from(stochasticPool2d(input, { kernelSize: 2, training: true, ...options }).values);
  assert.deepEqual(draw({ seed: 5 }), draw({ seed: 5 }));
  assert.notDeepEqual(draw({ seed: 5 }), draw({ seed: 6 }));
  const random = new Random(5);
  const first = draw({ random });
  assert.deepEqual(first, draw({ seed: 5 }));
  assert.notDeepEqual(draw({ random }), first);
});

test('inference gradient matches finite differences (positive inputs, overlapping windows, padding)', () => {
  const values = Float32Array.from({ length: 2 * 5 * 5 * 2 }, (_, index) => 0.5 + ((index * 37) % 23) / 10);
  gradcheck((x) => stochasticPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [tensor(values, [2, 5, 5, 2])], {
    epsilon: 1e-2,
  });
});

test('training gradient matches finite differences for fixed draws', () => {
  const values = Float32Array.from({ length: 1 * 4 * 6 * 3 }, (_, index) => 0.5 + ((index * 29) % 17) / 4);
  gradcheck((x) => stochasticPool2d(x, { kernelSize: 2, training: true, seed: 9 }), [tensor(values, [1, 4, 6, 3])], {
    epsilon: 1e-3,
  });
});

test('bad arguments name the argument', () => {
  const input = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  const argument = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.argument;
    }
    return 'no error';
  };
  assert.equal(
    argument(() => stochasticPool2d(input, { kernelSize: 2, training: true })),
    'seed',
  );
  assert.equal(
    argument(() => stochasticPool2d(input, { kernelSize: 2, training: true, seed: 1.5 })),
    'seed',
  );
  assert.equal(
    argument(() => stochasticPool2d(input, { kernelSize: 2, training: 'yes' as never })),
    'training',
  );
  assert.equal(
    argument(() => stochasticPool2d(input, { kernelSize: 3 })),
    'kernelSize',
  );
  assert.equal(
    argument(() => stochasticPool2d('x' as never, { kernelSize: 2 })),
    'input',
  );
  assertClose(stochasticPool2d(input, { kernelSize: 2, training: false }).values, [3]);
});
