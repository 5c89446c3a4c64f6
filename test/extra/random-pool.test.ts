// Random pooling: uniform draws, the average at inference, determinism and gradients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, PoolkitArgumentError, randomPool2d, requireGrad, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

test('training draws every in-bounds cell with probability 1/n (5 standard deviations, 20000 draws)', () => {
  const copies = 20000;
  const window = [1, 2, 3, 4].flatMap((value) => Array<number>(copies).fill(value));
  const output = randomPool2d(tensor(window, [1, 2, 2, copies]), { kernelSize: 2, training: true, seed: 2 });
  const bound = 5 * Math.sqrt((0.25 * 0.75) / copies);
  for (const value of [1, 2, 3, 4]) {
    const observed = output.values.filter((item) => item === value).length / copies;
    assert.ok(Math.abs(observed - 0.25) < bound, `cell ${value}: ${observed}`);
  }
});

test('inference is the in-bounds average (padding never counts)', () => {
  const input = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
  assert.deepEqual(Array.from(randomPool2d(input, { kernelSize: 2 }).values), [2.5]);
  // 2x2 windows, stride 2, padding 1 over 3x3 [1..9]: {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}
  const padded = randomPool2d(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), { kernelSize: 2, padding: 1 });
  assert.deepEqual(Array.from(padded.values), [1, 2.5, 5.5, 7]);
});

test('the training gradient goes to the drawn cell', () => {
  const input = requireGrad(tensor([10, 20, 30, 40], [1, 2, 2, 1]));
  const output = randomPool2d(input, { kernelSize: 2, training: true, seed: 4 });
  backward(output);
  const drawn = [10, 20, 30, 40].indexOf(output.values[0]!);
  assert.deepEqual(
    Array.from(input.grad!.values),
    [0, 1, 2, 3].map((index) => (index === drawn ? 1 : 0)),
  );
});

test('same seed same draws, another seed other draws', () => {
  const input = tensor(spacedValues(4 * 4 * 8, 1), [1, 4, 4, 8]);
  const draw = (seed: number) => Array.from(randomPool2d(input, { kernelSize: 2, training: true, seed }).values);
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
});

test('gradients match finite differences in both modes', () => {
  const input = tensor(spacedValues(2 * 5 * 5 * 2, 3), [2, 5, 5, 2]);
  gradcheck((x) => randomPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [input]);
  gradcheck((x) => randomPool2d(x, { kernelSize: 2, training: true, seed: 8 }), [input]);
});

test('training without a seed or Random names seed', () => {
  assert.throws(
    () => randomPool2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { kernelSize: 2, training: true }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'seed',
  );
  assert.throws(
    () => randomPool2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { kernelSize: 2, training: true, random: 3 as never }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'random',
  );
  assertClose(randomPool2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { kernelSize: [1, 2] }).values, [1.5, 3.5]);
});
