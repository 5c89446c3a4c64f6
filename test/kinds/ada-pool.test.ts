// AdaPool against a hand-worked window, its two limits (β = 1: eDSCW; β = 0: SoftPool), the paper's
// equations transcribed in PyTorch (test/golden/ada-pool), zero, NaN and empty windows, finite
// differences for the input and β, and a layer whose β the optimizer trains; the registry test
// (test/pooling/) covers saving and loading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaPool1d,
  adaPool2d,
  adaPool3d,
  backward,
  full,
  layers,
  requireGrad,
  sequential,
  tensor,
  tidy,
  type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { decode, goldenCases, type Encoded } from '../helpers/golden-json.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { fitPoolingLayer } from '../helpers/pooling-fit.js';
import { uniformTensor } from '../helpers/uniform.js';

/** The paper's two means of one window, written out. */
function means(cells: number[]): { dice: number; exponential: number } {
  const mean = cells.reduce((sum, value) => sum + value, 0) / cells.length;
  const dice = cells.map((value) => Math.exp((2 * value * mean) / (value * value + mean * mean)));
  const exponential = cells.map((value) => Math.exp(value));
  const weighted = (weights: number[]) =>
    weights.reduce((sum, weight, index) => sum + weight * cells[index]!, 0) / weights.reduce((a, b) => a + b, 0);
  return { dice: weighted(dice), exponential: weighted(exponential) };
}

test('one window [1, 3] with β = 0.25: 0.25·eDSCW + 0.75·eM, DSC(1, 2) = 0.8 and DSC(3, 2) = 12/13', () => {
  const { dice, exponential } = means([1, 3]);
  assertClose([dice], [(Math.exp(0.8) + 3 * Math.exp(12 / 13)) / (Math.exp(0.8) + Math.exp(12 / 13))]);
  const output = adaPool1d(tensor([1, 3], [1, 2, 1]), tensor([0.25]), { kernelSize: 2 });
  assertClose(output.values, [0.25 * dice + 0.75 * exponential]);
});

test('β = 1 gives eDSCW, β = 0 gives eM (SoftPool), per output cell; equal cells give their value', () => {
  const input = tensor([1, 3, -2, 0.5, 4, 4], [1, 6, 1]);
  const output = adaPool1d(input, tensor([1, 0, 0.5]), { kernelSize: 2 });
  assertClose(output.values, [means([1, 3]).dice, means([-2, 0.5]).exponential, 4]);
});

test('all-zero windows (ReLU outputs) give 0 and share the gradient evenly; DSC(0, 0) counts as 1', () => {
  const input = requireGrad(tensor([0, 0, 0, 0, 0, 2], [1, 6, 1]));
  const beta = requireGrad(tensor([0.3]));
  const output = adaPool1d(input, beta, { kernelSize: 3 });
  // Second window [0, 0, 2]: mean 2/3, DSC 0 for the zeros and 0.6 for the 2 (no 0/0 there).
  const expected = 0.3 * ((2 * Math.exp(0.6)) / (2 + Math.exp(0.6))) + 0.7 * means([0, 0, 2]).exponential;
  assertClose(output.values, [0, expected]);
  backward(output, tensor([1, 0], [1, 2, 1]));
  assertClose(input.grad!.values.slice(0, 3), [1 / 3, 1 / 3, 1 / 3]);
  assertClose(beta.grad!.values, [0]);
  // [−1, 0, 1] has mean 0: the zero cell's DSC(0, 0) = 1 weighs e against 1 for the others, with
  // zero slope; the others' DSC(±1, 0) = 0 have slope 2/x in the mean, shared by all cells as 1/n.
  const centred = requireGrad(tensor([-1, 0, 1], [1, 3, 1]));
  backward(adaPool1d(centred, tensor([1]), { kernelSize: 3 }), tensor([1], [1, 1, 1]));
  const shared = 4 / (3 * (2 + Math.E));
  assertClose(centred.grad!.values, [
    1 / (2 + Math.E) + shared,
    Math.E / (2 + Math.E) + shared,
    1 / (2 + Math.E) + shared,
  ]);
});

test('NaN or ±Infinity make the window NaN, gradients too; an empty window gives 0 and no gradient', () => {
  const input = requireGrad(tensor([1, NaN, 2, 3, Infinity, 4], [1, 6, 1]));
  const beta = requireGrad(tensor([0.5]));
  const output = adaPool1d(input, beta, { kernelSize: 2 });
  assert.ok(Number.isNaN(output.values[0]) && Number.isNaN(output.values[2]));
  assert.ok(Number.isFinite(output.values[1]));
  backward(output, tensor([1, 1, 1], [1, 3, 1]));
  assert.deepEqual(
    Array.from(input.grad!.values, (value) => Number.isNaN(value)),
    [true, true, false, false, true, true],
  );
  // Width 1, window of 2 taps dilated by 2, padding 1: taps at −1 and 1, neither in the input.
  const lone = requireGrad(tensor([5], [1, 1, 1]));
  const empty = adaPool1d(lone, tensor([0.5]), { kernelSize: 2, dilation: 2, padding: 1 });
  assert.deepEqual(Array.from(empty.values), [0]);
  backward(empty, tensor([1], [1, 1, 1]));
  assert.deepEqual(Array.from(lone.grad!.values), [0]);
});

interface AdaCase {
  name: string;
  dims: 1 | 2 | 3;
  options: Record<string, unknown>;
  inputShape: number[];
  input: Encoded;
  betaShape: number[];
  beta: Encoded;
  output: Encoded;
  gradOutput: Encoded;
  gradInput: Encoded;
  gradBeta: Encoded;
}

const OPS = { 1: adaPool1d, 2: adaPool2d, 3: adaPool3d };

for (const golden of goldenCases<AdaCase>('ada-pool')) {
  test(`equals the paper's equations in PyTorch, forward and gradients of input and β: ${golden.name}`, () => {
    tidy(() => {
      const input = requireGrad(tensor(decode(golden.input), golden.inputShape));
      const beta = requireGrad(tensor(decode(golden.beta), golden.betaShape));
      const output = OPS[golden.dims](input, beta, golden.options as never);
      assertClose(output.values, decode(golden.output), { absolute: 1e-5, relative: 1e-5, label: 'output' });
      backward(output, tensor(decode(golden.gradOutput), output.shape));
      assertClose(input.grad!.values, decode(golden.gradInput), { absolute: 1e-5, relative: 1e-4, label: 'gradInput' });
      assertClose(beta.grad!.values, decode(golden.gradBeta), { absolute: 1e-4, relative: 1e-4, label: 'gradBeta' });
    });
  });
}

test('finite differences agree for the input and β in 1D, 2D and 3D (padding, dilation, ceil mode)', () => {
  const beta = (shape: number[], seed: number): Tensor =>
    tensor(
      Array.from(uniformTensor(shape, seed).values, (value) => 0.5 + 0.4 * value),
      shape,
    );
  gradcheck(
    (x, b) => adaPool1d(x!, b!, { kernelSize: 3, stride: 2, padding: 1 }),
    [uniformTensor([2, 7, 2], 3), beta([4], 4)],
  );
  gradcheck(
    (x, b) => adaPool2d(x!, b!, { kernelSize: 2, stride: 1, dilation: 2, dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 2, 5, 5], 5), beta([1], 6)],
  );
  gradcheck(
    (x, b) => adaPool3d(x!, b!, { kernelSize: 2, ceilMode: true }),
    [uniformTensor([1, 3, 3, 3, 2], 7), beta([2, 2, 2], 8)],
  );
});

test('β must have shape [1] or the output cells; a layer needs known spatial sizes', () => {
  const input = uniformTensor([1, 4, 4, 2], 1);
  assert.throws(
    () => adaPool2d(input, full([4], 0.5), { kernelSize: 2 }),
    /adaPool2d: beta must have shape \[1\] or \[2, 2\]/,
  );
  // (A 1x1 window, so that the output shape itself can be inferred with the height unknown.)
  const layer = layers.adaPooling2d({ poolSize: 1 });
  assert.throws(
    () => sequential([layer]).build([null, null, 4, 2]),
    /AdaPooling2D: input must have known spatial sizes/,
  );
});

test('a layer starts β at betaInitial per output cell, and fit() trains it', async () => {
  const built = sequential([layers.adaPooling2d({ poolSize: 2, betaInitial: 0.25, inputShape: [6, 4, 1] })]);
  assert.deepEqual(built.parameters[0]!.tensor.shape, [3, 2]);
  assert.deepEqual(Array.from(built.parameters[0]!.tensor.values), Array<number>(6).fill(0.25));
  built.dispose();
  const layer = layers.adaPooling2d({ poolSize: 2, betaInitial: 0.25 });
  const fit = await fitPoolingLayer(layer, [4, 6, 6, 2]);
  assert.deepEqual(
    fit.changes.map(({ name }) => name),
    [`${layer.name}/beta`],
  );
  assert.ok(fit.changes[0]!.largest > 0.01, `beta moved by ${fit.changes[0]!.largest}`);
  assert.ok(fit.lossAfter < fit.lossBefore, `loss ${fit.lossBefore} → ${fit.lossAfter}`);
});
