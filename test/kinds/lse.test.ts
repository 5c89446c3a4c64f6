// LSE pooling against PyTorch golden cases (golden/lse/generate.py: the equation with the max shift,
// autograd's gradients of input and r), hand-worked windows, its limits (r → 0 is the mean, r → ∞ the
// max), NaN and ±Infinity, r's checks, finite differences for input and r, and its layer's weight 'r'.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  layers,
  lsePool1d,
  lsePool2d,
  lsePool3d,
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

const OPS: Record<string, GoldenOp> = { lsePool1d, lsePool2d, lsePool3d };
const golden = readGolden('lse');

test('the golden file covers ranks 1 to 3', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.op)), new Set(Object.keys(OPS)));
});

for (const item of golden.cases) test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, OPS[item.op]!));

/** A 2x2 window's output and the gradients of input and r (upstream gradient 1). */
function window(values: number[], r: number): { output: number; gradient: number[]; gradR: number } {
  return tidy(() => {
    const x = requireGrad(tensor(values, [1, 2, 2, 1]));
    const rate = requireGrad(tensor([r]));
    const y = lsePool2d(x, rate, { kernelSize: 2 });
    backward(y);
    return { output: y.values[0]!, gradient: Array.from(x.grad!.values), gradR: rate.grad!.values[0]! };
  });
}

test('[1, 2, 3, 4] with r = 1 is log(mean e^x), gradient softmax(x), ∂y/∂r = Σ sᵢxᵢ − y', () => {
  const exps = [1, 2, 3, 4].map(Math.exp);
  const total = exps.reduce((sum, value) => sum + value, 0);
  const expected = Math.log(total / 4);
  const softmax = exps.map((value) => value / total);
  const { output, gradient, gradR } = window([1, 2, 3, 4], 1);
  assertClose([output], [expected]);
  assertClose(gradient, softmax);
  assertClose([gradR], [softmax.reduce((sum, share, index) => sum + share * (index + 1), 0) - expected]);
});

test('r = 0 is the mean with ∂y/∂r = variance/2; tiny r agrees; large r nears the max, negative r the min', () => {
  const zero = window([1, 2, 3, 4], 0);
  assert.deepEqual(zero, { output: 2.5, gradient: [0.25, 0.25, 0.25, 0.25], gradR: 1.25 / 2 });
  const tiny = window([1, 2, 3, 4], 1e-12);
  assertClose([tiny.output, tiny.gradR], [2.5, 0.625]);
  assertClose([window([1, 2, 3, 4], 200).output], [4 - Math.log(4) / 200]);
  assertClose([window([1, 2, 3, 4], -200).output], [1 + Math.log(4) / 200]);
});

test('ties share equally; an all-negative window works; huge inputs do not overflow', () => {
  const tied = window([2, 2, 2, 2], 5);
  assertClose([tied.output, ...tied.gradient, tied.gradR], [2, 0.25, 0.25, 0.25, 0.25, 0]);
  assertClose(
    [window([-1, -2, -3, -4], 1).output],
    [Math.log((Math.exp(-1) + Math.exp(-2) + Math.exp(-3) + Math.exp(-4)) / 4)],
  );
  assertClose([window([1e30, 1e30, 1e30, 1e30], 10).output], [1e30]);
});

test('NaN gives NaN and +Infinity gives +Infinity, with no gradient; −Infinity cells take no weight', () => {
  const nan = window([1, NaN, 3, 4], 1);
  assert.ok(Number.isNaN(nan.output));
  assert.deepEqual([...nan.gradient, nan.gradR], [0, 0, 0, 0, 0]);
  assert.deepEqual(window([1, Infinity, 3, 4], 1), { output: Infinity, gradient: [0, 0, 0, 0], gradR: 0 });
  const minusInfinity = window([-Infinity, 2, 2, 2], 1);
  assertClose([minusInfinity.output], [2 + Math.log(3 / 4)]);
  assertClose(minusInfinity.gradient, [0, 1 / 3, 1 / 3, 1 / 3]);
});

test('padding is not a cell, and a window with no in-bounds cell outputs 0 with no gradient', () => {
  const padded = lsePool1d(tensor([0, 0, -7], [1, 3, 1]), tensor([1]), { kernelSize: 2, padding: 'same' });
  assertClose(padded.values, [0, -7]);
  const x = requireGrad(tensor([5, 6], [1, 2, 1]));
  const y = lsePool1d(x, tensor([1]), { kernelSize: 2, dilation: 3, padding: 1, stride: 1 });
  assert.deepEqual(Array.from(y.values), [0]);
  backward(y);
  assert.deepEqual(Array.from(x.grad!.values), [0, 0]);
});

test('r must hold finite numbers, of shape [1] or [channels]', () => {
  const x = uniformTensor([1, 4, 4, 3], 1);
  const message = (r: number[]) => {
    try {
      lsePool2d(x, tensor(r), { kernelSize: 2 });
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.message;
    }
    return 'no error';
  };
  assert.match(message([Infinity]), /lsePool2d: r must hold finite numbers/);
  assert.match(message([1, 2]), /lsePool2d: r must have shape \[1\] or \[3\]/);
});

test('finite differences agree for input and r in 1D, 2D and 3D (padding, dilation, per channel r)', () => {
  gradcheck(
    (x, r) => lsePool1d(x!, r!, { kernelSize: 3, stride: 2, padding: 1 }),
    [uniformTensor([2, 7, 2], 3), tensor([2])],
  );
  gradcheck(
    (x, r) => lsePool2d(x!, r!, { kernelSize: 2, stride: 1, dilation: 2 }),
    [uniformTensor([1, 5, 5, 2], 4), tensor([0.5, -3])],
  );
  gradcheck(
    (x, r) => lsePool3d(x!, r!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 2, 3, 3, 3], 5), tensor([4])],
  );
});

test("the layer's weight 'r' ([1], or [channels] with rScope 'channel') starts at 1 and is trained", async () => {
  await assertTrainsWeights(layers.lsePooling2d({ poolSize: 2 }), [{ name: 'r', shape: [1], initial: 1 }]);
  await assertTrainsWeights(layers.lsePooling2d({ poolSize: 2, rScope: 'channel', rInitial: 4 }), [
    { name: 'r', shape: [2], initial: 4 },
  ]);
});
