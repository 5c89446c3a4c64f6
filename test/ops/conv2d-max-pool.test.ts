// conv2dMaxPool2d against maxPool2d(conv2d(...)) (and, with relu, against relu after the pool and
// against Keras's order, relu before it): the same output and every gradient bit for bit, on the
// fused shapes (the wasm backend's one-pass kernels) and on shapes that run unfused; finite
// differences; and bad arguments. Runs on every backend (scripts/run-tests.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  conv2d,
  conv2dMaxPool2d,
  maxPool2d,
  relu,
  requireGrad,
  tensor,
  tidy,
  type Tensor,
} from '../../src/index.js';
import { PoolkitArgumentError } from '../../src/errors.js';
import type { Conv2dOptions, PoolOptions } from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

/** Output, then the gradients of Σ w·output with respect to input, filter and bias (when given). */
function outputsAndGrads(
  run: (x: Tensor, f: Tensor, b: Tensor | null) => Tensor,
  inputs: (Tensor | null)[],
  seed: number,
) {
  return tidy(() => {
    const leaves = inputs.map((input) => (input === null ? null : requireGrad(input.clone())));
    const output = run(leaves[0]!, leaves[1]!, leaves[2] ?? null);
    backward(output, uniformTensor([...output.shape], seed));
    const grads = leaves.filter((leaf) => leaf !== null).map((leaf) => leaf.grad!.toFloat32Array());
    return [output.toFloat32Array(), ...grads];
  });
}

interface Case {
  readonly input: number[];
  readonly filter: number[];
  readonly conv: Omit<Conv2dOptions, 'activation'>;
  readonly pool: PoolOptions;
  readonly bias: boolean;
}

const cases: Case[] = [
  { input: [3, 28, 28, 1], filter: [3, 3, 1, 32], conv: {}, pool: { kernelSize: 2 }, bias: true }, // the seed CNN
  { input: [2, 9, 8, 1], filter: [3, 3, 1, 8], conv: {}, pool: { kernelSize: 2 }, bias: true }, // odd conv rows: a row left out
  { input: [2, 10, 11, 3], filter: [2, 2, 3, 16], conv: { stride: 2 }, pool: { kernelSize: 2 }, bias: false },
  {
    input: [1, 12, 12, 2],
    filter: [3, 3, 2, 8],
    conv: { dilation: 2 },
    pool: { kernelSize: 2, stride: 2 },
    bias: true,
  },
  // Unfused on the wasm backend: a pool other than 2x2/2 VALID, a packed (padded) convolution, channels not a multiple of 8.
  {
    input: [2, 9, 9, 1],
    filter: [3, 3, 1, 8],
    conv: {},
    pool: { kernelSize: 3, stride: 2, padding: 'same' },
    bias: true,
  },
  { input: [1, 7, 7, 2], filter: [3, 3, 2, 8], conv: { padding: 'same' }, pool: { kernelSize: 2 }, bias: true },
  {
    input: [2, 8, 8, 1],
    filter: [3, 3, 1, 5],
    conv: {},
    pool: { kernelSize: 2, ceilMode: true, padding: 1 },
    bias: true,
  },
];

/** A case's input, filter and bias (or null), random from seeds `seed`, `seed + 1` and `seed + 2`. */
function caseInputs({ input, filter, bias }: Case, seed: number): (Tensor | null)[] {
  return [
    uniformTensor(input, seed),
    uniformTensor(filter, seed + 1),
    bias ? uniformTensor([filter[3]!], seed + 2) : null,
  ];
}

test('conv2dMaxPool2d equals maxPool2d(conv2d): output and every gradient, bit for bit', () => {
  cases.forEach((testCase, index) => {
    const { conv, pool, bias } = testCase;
    const inputs = caseInputs(testCase, 10 * index + 1);
    const fused = outputsAndGrads((x, f, b) => conv2dMaxPool2d(x, f, b, conv, pool), inputs, 9);
    const composed = outputsAndGrads((x, f, b) => maxPool2d(conv2d(x, f, b, conv), pool), inputs, 9);
    assert.equal(fused.length, bias ? 4 : 3);
    fused.forEach((array, which) => assert.deepEqual(array, composed[which], `case ${index}, array ${which}`));
  });
});

test("conv2dMaxPool2d with relu equals relu after the pool and Keras's relu before it, bit for bit", () => {
  cases.forEach((testCase, index) => {
    const { conv, pool } = testCase;
    const inputs = caseInputs(testCase, 10 * index + 4);
    const reluConv = { ...conv, activation: 'relu' as const };
    const fused = outputsAndGrads((x, f, b) => conv2dMaxPool2d(x, f, b, reluConv, pool), inputs, 8);
    const after = outputsAndGrads((x, f, b) => relu(maxPool2d(conv2d(x, f, b, conv), pool)), inputs, 8);
    const before = outputsAndGrads((x, f, b) => maxPool2d(conv2d(x, f, b, reluConv), pool), inputs, 8);
    assert.ok(
      fused[0]!.some((value) => value === 0) && fused[0]!.some((value) => value > 0),
      `case ${index} mixes signs`,
    );
    fused.forEach((array, which) => {
      assert.deepEqual(array, after[which], `case ${index}, array ${which}, relu after`);
      assert.deepEqual(array, before[which], `case ${index}, array ${which}, relu before`);
    });
  });
});

test('conv2dMaxPool2d keeps NaN and ties as max pooling does', () => {
  // A zero filter makes every window a four-way tie (the first cell wins); a NaN input makes NaN windows.
  const x = uniformTensor([1, 6, 6, 1], 1);
  x.values[7] = NaN;
  const zero = tensor(new Float32Array(9 * 8), [3, 3, 1, 8]);
  const ones = tensor(new Float32Array(9 * 8).fill(1), [3, 3, 1, 8]);
  for (const filter of [zero, ones]) {
    const inputs = [x, filter, uniformTensor([8], 2)];
    const fused = outputsAndGrads((a, f, b) => conv2dMaxPool2d(a, f, b, {}, { kernelSize: 2 }), inputs, 3);
    const composed = outputsAndGrads((a, f, b) => maxPool2d(conv2d(a, f, b), { kernelSize: 2 }), inputs, 3);
    fused.forEach((array, which) => assert.deepEqual(array, composed[which], `array ${which}`));
    const reluFused = outputsAndGrads(
      (a, f, b) => conv2dMaxPool2d(a, f, b, { activation: 'relu' }, { kernelSize: 2 }),
      inputs,
      3,
    );
    const reluAfter = outputsAndGrads((a, f, b) => relu(maxPool2d(conv2d(a, f, b), { kernelSize: 2 })), inputs, 3);
    reluFused.forEach((array, which) => assert.deepEqual(array, reluAfter[which], `relu, array ${which}`));
  }
});

test('conv2dMaxPool2d: finite differences of input, filter and bias, linear and relu', () => {
  for (const { input, filter, conv, pool } of [cases[1]!, cases[4]!]) {
    for (const activation of ['linear', 'relu'] as const) {
      gradcheck(
        (x, f, b) => conv2dMaxPool2d(x!, f!, b!, { ...conv, activation }, pool),
        [uniformTensor([1, ...input.slice(1)], 4), uniformTensor(filter, 5), uniformTensor([filter[3]!], 6)],
        { epsilon: 1e-3 },
      );
    }
  }
});

test('conv2dMaxPool2d names the argument it rejects', () => {
  const [x, f] = [uniformTensor([1, 6, 6, 1], 1), uniformTensor([3, 3, 1, 8], 2)];
  const rejects = (run: () => unknown, pattern: RegExp) =>
    assert.throws(run, (error: unknown) => error instanceof PoolkitArgumentError && pattern.test(error.message));
  rejects(() => conv2dMaxPool2d(x, f, null, { activation: 'sigmoid' } as never, { kernelSize: 2 }), /conv\.activation/);
  rejects(() => conv2dMaxPool2d(x, f, null, { dataFormat: 'channelsFirst' }, { kernelSize: 2 }), /conv\.dataFormat/);
  rejects(() => conv2dMaxPool2d(x, f, null, {}, { kernelSize: 2, dataFormat: 'channelsFirst' }), /pool\.dataFormat/);
  rejects(() => conv2dMaxPool2d(x, f, uniformTensor([7], 3), {}, { kernelSize: 2 }), /bias/);
  rejects(() => conv2dMaxPool2d(x, f, null, {}, { kernelSize: 7 }), /kernelSize|window/);
});
