// Detail-preserving pooling (Lite-DPP) against PyTorch golden cases (golden/detail-preserving/
// generate.py: the paper's equations, autograd's gradients of input, α and λ), hand-worked windows,
// the symmetric and asymmetric rewards, its limits, NaN and ±Infinity, a zero Σw, parameter checks,
// finite differences for input, α and λ, and its layer's weights 'alpha' and 'lambda'.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  dppPool1d,
  dppPool2d,
  dppPool3d,
  layers,
  PoolkitArgumentError,
  requireGrad,
  tensor,
  tidy,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';
import { checkGoldenCase, readGolden, type GoldenOp } from './formula-golden.js';
import { assertTrainsWeights } from './layer-training.js';

const OPS: Record<string, GoldenOp> = { dppPool1d, dppPool2d, dppPool3d };
const golden = readGolden('detail-preserving');

test('the golden file covers ranks 1 to 3 and both rewards', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.op)), new Set(Object.keys(OPS)));
  assert.deepEqual(
    new Set(golden.cases.map((item) => item.options.reward ?? 'symmetric')),
    new Set(['symmetric', 'asymmetric']),
  );
});

for (const item of golden.cases) test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, OPS[item.op]!));

interface WindowResult {
  output: number;
  gradient: number[];
  gradAlpha: number;
  gradLambda: number;
}

/** A 1D window's output and the gradients of input, α and λ (upstream gradient 1). */
function window(values: number[], alpha: number, lambda: number, reward?: 'asymmetric'): WindowResult {
  return tidy(() => {
    const x = requireGrad(tensor(values, [1, values.length, 1]));
    const [a, l] = [requireGrad(tensor([alpha])), requireGrad(tensor([lambda]))];
    const y = dppPool1d(x, a, l, { kernelSize: values.length, ...(reward ? { reward } : {}) });
    backward(y);
    const gradient = Array.from(x.grad!.values);
    return { output: y.values[0]!, gradient, gradAlpha: a.grad!.values[0]!, gradLambda: l.grad!.values[0]! };
  });
}

/** The paper's equations in plain numbers, for one window. */
function reference(values: number[], alpha: number, lambda: number, asymmetric: boolean): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const weights = values.map((value) => {
    const difference = asymmetric ? Math.max(value - mean, 0) : value - mean;
    return alpha + Math.pow(Math.sqrt(difference * difference + 1e-3), lambda);
  });
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.reduce((sum, weight, index) => sum + weight * values[index]!, 0) / total;
}

test('[1, 2, 3, 4, 10]: the paper’s weighted mean, symmetric and asymmetric, for several α and λ', () => {
  const values = [1, 2, 3, 4, 10];
  for (const [alpha, lambda] of [
    [1, 1],
    [0, 2],
    [0.5, -1],
    [3, 0.5],
  ] as const) {
    assertClose([window(values, alpha, lambda).output], [reference(values, alpha, lambda, false)]);
    assertClose([window(values, alpha, lambda, 'asymmetric').output], [reference(values, alpha, lambda, true)]);
  }
});

test('limits: λ = 0 or a large α gives the mean; α = 0 and a large λ favours the cell farthest from the mean', () => {
  assertClose([window([1, 2, 3, 10], 1, 0).output], [4]);
  assertClose([window([1, 2, 3, 10], 1e6, 1).output], [4], { relative: 1e-4 });
  assertClose([window([1, 2, 3, 10], 0, 30).output], [10], { relative: 1e-4 });
  // asymmetric: cells below the mean are weighed α + ε^λ only
  assertClose([window([1, 2, 3, 10], 0, 30, 'asymmetric').output], [10], { relative: 1e-4 });
});

test('equal values and all-negative windows; ties give equal weights', () => {
  const equal = window([2, 2, 2, 2], 1, 1);
  assertClose([equal.output, ...equal.gradient, equal.gradAlpha, equal.gradLambda], [2, 0.25, 0.25, 0.25, 0.25, 0, 0]);
  const negative = window([-1, -2, -3, -4], 1, 1);
  assertClose([negative.output], [reference([-1, -2, -3, -4], 1, 1, false)]);
});

test('NaN or ±Infinity in a window gives NaN with no gradient; Σw = 0 (α = −1, λ = 0) gives NaN with none', () => {
  for (const values of [
    [1, NaN, 3, 4],
    [1, Infinity, 3, 4],
    [-Infinity, 1, 1, 1],
  ]) {
    const result = window(values, 1, 1);
    assert.ok(Number.isNaN(result.output), `${values}`);
    assert.deepEqual([...result.gradient, result.gradAlpha, result.gradLambda], [0, 0, 0, 0, 0, 0]);
  }
  const zero = window([1, 2], -1, 0);
  assert.ok(Number.isNaN(zero.output));
  assert.deepEqual(zero.gradient, [0, 0]);
});

test('padding is not a cell; a window with no in-bounds cell outputs 0 with no gradient', () => {
  const padded = dppPool1d(tensor([0, 0, -7], [1, 3, 1]), tensor([1]), tensor([1]), { kernelSize: 2, padding: 'same' });
  assertClose(padded.values, [0, -7]);
  const x = requireGrad(tensor([5, 6], [1, 2, 1]));
  const y = dppPool1d(x, tensor([1]), tensor([1]), { kernelSize: 2, dilation: 3, padding: 1, stride: 1 });
  assert.deepEqual(Array.from(y.values), [0]);
  backward(y);
  assert.deepEqual(Array.from(x.grad!.values), [0, 0]);
});

test('α and λ must be finite, of shape [1] or [channels]; reward symmetric or asymmetric', () => {
  const x = uniformTensor([1, 4, 4, 3], 1);
  const message = (alpha: number[], lambda: number[], options: object = {}) => {
    try {
      dppPool2d(x, tensor(alpha), tensor(lambda), { kernelSize: 2, ...options });
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.message;
    }
    return 'no error';
  };
  assert.match(message([1, 1], [1]), /dppPool2d: alpha must have shape \[1\] or \[3\]/);
  assert.match(message([1], [NaN]), /dppPool2d: lambda must hold finite numbers/);
  assert.match(message([1], [1], { reward: 'sym' }), /dppPool2d: reward must be 'symmetric' or 'asymmetric'/);
  assert.equal(message([1, 2, 3], [1]), 'no error');
});

test('finite differences agree for input, α and λ in 1D, 2D and 3D (both rewards, padding, dilation)', () => {
  gradcheck(
    (x, a, l) => dppPool1d(x!, a!, l!, { kernelSize: 3, stride: 2, padding: 1 }),
    [uniformTensor([2, 7, 2], 3), tensor([1]), tensor([1.5])],
  );
  gradcheck(
    (x, a, l) => dppPool2d(x!, a!, l!, { kernelSize: 2, stride: 1, dilation: 2, reward: 'asymmetric' }),
    [uniformTensor([1, 5, 5, 2], 4), tensor([0.5, 2]), tensor([1, 3])],
  );
  gradcheck(
    (x, a, l) => dppPool3d(x!, a!, l!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 2, 3, 3, 3], 5), tensor([1, 0.25]), tensor([2])],
  );
});

test("the layer's weights 'alpha' and 'lambda' (one per channel, as the paper's) start at 1 and are trained", async () => {
  await assertTrainsWeights(layers.detailPreservingPooling2d({ poolSize: 2 }), [
    { name: 'alpha', shape: [2], initial: 1 },
    { name: 'lambda', shape: [2], initial: 1 },
  ]);
  await assertTrainsWeights(
    layers.detailPreservingPooling2d({ poolSize: 2, reward: 'asymmetric', alphaInitial: 0.5, lambdaInitial: 2 }),
    [
      { name: 'alpha', shape: [2], initial: 0.5 },
      { name: 'lambda', shape: [2], initial: 2 },
    ],
  );
});
