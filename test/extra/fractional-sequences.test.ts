// Fractional max pooling beyond PyTorch: Graham's pseudo-random and random region sequences,
// disjoint and overlapping, seeded draws, gradients and argument errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fractionalMaxPool2d, fractionalMaxPool3d, PoolkitArgumentError, Random, tensor } from '../../src/index.js';
import { grahamBoundaries, pytorchStarts } from '../../src/pooling/kinds/fractional-max-geometry.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

test("PyTorch's interval rule on a hand-worked case: In 10, Out 4, k 2, u 0.5", () => {
  // α = (10 − 2)/3 = 8/3; starts ⌊(i + 0.5)·α⌋ − ⌊0.5·α⌋ = 1 − 1, 4 − 1, 6 − 1, then In − k = 8
  assert.deepEqual(Array.from(pytorchStarts(0.5, 10, 4, 2)), [0, 3, 5, 8]);
});

test("Graham's boundaries run from 0 to In with increments ⌊α⌋ or ⌈α⌉, for many sizes and u", () => {
  const random = new Random(1);
  for (const [inSize, outSize] of [
    [10, 7],
    [25, 18],
    [9, 4],
    [32, 11],
    [5, 5],
  ] as const) {
    for (const sequence of ['pseudoRandom', 'random'] as const) {
      for (let trial = 0; trial < 20; trial++) {
        const plan = { inSize, outSize, kernel: null, sequence, overlapping: false };
        const boundaries = grahamBoundaries(plan, random.uniform(), random);
        assert.equal(boundaries[0], 0);
        assert.equal(boundaries[outSize], inSize);
        const alpha = inSize / outSize;
        for (let index = 0; index < outSize; index++) {
          const step = boundaries[index + 1]! - boundaries[index]!;
          assert.ok(
            step === Math.floor(alpha) || step === Math.ceil(alpha),
            `${sequence} ${inSize}→${outSize}: ${step}`,
          );
        }
      }
    }
  }
});

test('disjoint regions tile the input; overlapping ones add the next boundary cell', () => {
  // 1 x 10 input 0..9, output width 4 with random sequences: disjoint maxima are the last cell of each region
  const input = tensor(
    Array.from({ length: 10 }, (_, index) => index),
    [1, 1, 10, 1],
  );
  const options = { outputSize: [1, 4], sequence: 'random' as const, seed: 3 };
  const disjoint = Array.from(fractionalMaxPool2d(input, options).values);
  const overlapping = Array.from(fractionalMaxPool2d(input, { ...options, overlapping: true }).values);
  assert.equal(disjoint[3], 9);
  assert.deepEqual(
    overlapping,
    disjoint.map((value) => Math.min(value + 1, 9)),
  );
  assert.ok(disjoint.every((value, index) => index === 0 || value > disjoint[index - 1]!));
});

test('same seed same regions, another seed other regions; given samples need no seed', () => {
  const input = tensor(spacedValues(1 * 20 * 20 * 4, 2), [1, 20, 20, 4]);
  const pool = (seed: number) =>
    Array.from(fractionalMaxPool2d(input, { outputRatio: 0.7, kernelSize: 2, seed }).values);
  assert.deepEqual(pool(1), pool(1));
  assert.notDeepEqual(pool(1), pool(2));
  const samples = new Float32Array(8).fill(0.25);
  assert.deepEqual(fractionalMaxPool2d(input, { outputSize: 14, kernelSize: 2, samples }).shape, [1, 14, 14, 4]);
  const graham = (seed: number) =>
    Array.from(fractionalMaxPool2d(input, { outputSize: 13, sequence: 'random', seed }).values);
  assert.deepEqual(graham(4), graham(4));
  assert.notDeepEqual(graham(4), graham(5));
});

test('gradients match finite differences (PyTorch rule and Graham overlapping)', () => {
  const input = tensor(spacedValues(2 * 9 * 9 * 2, 7), [2, 9, 9, 2]);
  gradcheck((x) => fractionalMaxPool2d(x, { outputSize: 6, kernelSize: 2, seed: 1 }), [input]);
  gradcheck((x) => fractionalMaxPool2d(x, { outputRatio: 0.6, overlapping: true, seed: 2 }), [input]);
  const volume = tensor(spacedValues(1 * 5 * 6 * 5 * 2, 8), [1, 5, 6, 5, 2]);
  gradcheck((x) => fractionalMaxPool3d(x, { outputSize: [3, 4, 3], sequence: 'random', seed: 3 }), [volume]);
});

test('bad arguments name the argument', () => {
  const input = tensor(spacedValues(1 * 8 * 8 * 1, 1), [1, 8, 8, 1]);
  const argument = (options: object): string => {
    try {
      fractionalMaxPool2d(input, { seed: 1, ...options });
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.argument;
    }
    return 'no error';
  };
  assert.equal(argument({ kernelSize: 2 }), 'outputSize');
  assert.equal(argument({ outputSize: 4, outputRatio: 0.5 }), 'outputSize');
  assert.equal(argument({ outputRatio: 1.5 }), 'outputRatio');
  assert.equal(argument({ outputSize: 8, kernelSize: 2 }), 'kernelSize');
  assert.equal(argument({ outputSize: 9 }), 'outputSize');
  assert.equal(argument({ outputSize: 4, kernelSize: 2, sequence: 'random' }), 'kernelSize');
  assert.equal(argument({ outputSize: 4, sequence: 'shuffled' }), 'sequence');
  assert.equal(argument({ outputSize: 4, kernelSize: 2, samples: [0.5, 1] }), 'samples');
  assert.equal(argument({ outputSize: 4, kernelSize: 2, samples: [0.5] }), 'samples');
  assert.equal(argument({ outputSize: 4, sequence: 'random', samples: [0.5, 0.5] }), 'samples');
  assert.equal(argument({ outputSize: 4, kernelSize: 2, seed: undefined }), 'seed');
});
