// Ordinal pooling against PyTorch golden cases (golden/ordinal/generate.py: a stable sort of each
// window and the weighted sum, autograd's gradients of input and rank weights), its limits (max and
// average pooling), ties, NaN, padding, finite differences for input and weights, and its layer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgPool2d,
  backward,
  layers,
  maxPool2d,
  ordinalPool1d,
  ordinalPool2d,
  ordinalPool3d,
  PoolkitArgumentError,
  requireGrad,
  tensor,
  tidy,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';
import { checkGoldenCase, readGolden, type GoldenOp } from './formula-golden.js';
import { assertTrainsWeights } from './layer-training.js';

const OPS: Record<string, GoldenOp> = { ordinalPool1d, ordinalPool2d, ordinalPool3d };
const golden = readGolden('ordinal');

test('the golden file covers ranks 1 to 3, shared and per channel weights', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.op)), new Set(Object.keys(OPS)));
  assert.deepEqual(new Set(golden.cases.map((item) => item.parameters[0]!.shape.length)), new Set([1, 2]));
});

for (const item of golden.cases) test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, OPS[item.op]!));

/** A 1D window's output and the gradients of input and weights (upstream gradient 1). */
function window(values: number[], weights: number[]): { output: number; gradient: number[]; gradWeights: number[] } {
  return tidy(() => {
    const x = requireGrad(tensor(values, [1, values.length, 1]));
    const w = requireGrad(tensor(weights));
    const y = ordinalPool1d(x, w, { kernelSize: values.length });
    backward(y);
    return { output: y.values[0]!, gradient: Array.from(x.grad!.values), gradWeights: Array.from(w.grad!.values) };
  });
}

test('[3, 1, 4, 2] with w = [0.5, 0.25, 0.125, 0.125]: 4·0.5 + 3·0.25 + 2·0.125 + 1·0.125', () => {
  assert.deepEqual(window([3, 1, 4, 2], [0.5, 0.25, 0.125, 0.125]), {
    output: 3.125,
    gradient: [0.25, 0.125, 0.5, 0.125],
    gradWeights: [4, 3, 2, 1],
  });
});

test('w = [1, 0, …] gives max pooling and w = 1/n average pooling', () => {
  const x = uniformTensor([2, 6, 6, 3], 8);
  const maxLike = ordinalPool2d(x, tensor([1, 0, 0, 0, 0, 0, 0, 0, 0]), { kernelSize: 3, stride: 2 });
  assert.deepEqual(Array.from(maxLike.values), Array.from(maxPool2d(x, { kernelSize: 3, stride: 2 }).values));
  const averageLike = ordinalPool2d(x, tensor(new Array(9).fill(1 / 9)), { kernelSize: 3, stride: 2 });
  assertClose(averageLike.values, avgPool2d(x, { kernelSize: 3, stride: 2 }).values);
});

test('ties keep window order: the earlier cell takes the earlier rank; NaN ranks first', () => {
  assert.deepEqual(window([2, 2, 1], [0.75, 0.25, 0]).gradient, [0.75, 0.25, 0]);
  const nan = window([1, NaN, 3], [0.5, 0.25, 0.25]);
  assert.ok(Number.isNaN(nan.output));
  assert.deepEqual(nan.gradient, [0.25, 0.5, 0.25]);
  assert.ok(Number.isNaN(nan.gradWeights[0]!));
  assert.deepEqual(nan.gradWeights.slice(1), [3, 1]);
});

test('±Infinity are values; all-negative windows are ordinary', () => {
  assert.equal(window([Infinity, 1, 2], [1, 0.5, 0.5]).output, Infinity);
  assert.equal(window([-Infinity, 1, 2], [0.5, 0.5, 1]).output, -Infinity);
  assert.equal(window([-3, -1, -2], [0.5, 0.25, 0.25]).output, -1.75);
});

test('a window of n < taps in-bounds cells uses the first n rank weights; an empty window outputs 0', () => {
  // 3-wide windows, padding 1, stride 3 over [5, 6, 7, 8]: windows (pad, 5, 6) and (7, 8, pad).
  const padded = ordinalPool1d(tensor([5, 6, 7, 8], [1, 4, 1]), tensor([1, 0.5, 100]), {
    kernelSize: 3,
    stride: 3,
    padding: 1,
  });
  assert.deepEqual(Array.from(padded.values), [6 + 2.5, 8 + 3.5]);
  const x = requireGrad(tensor([5, 6], [1, 2, 1]));
  const y = ordinalPool1d(x, tensor([1, 1]), { kernelSize: 2, dilation: 3, padding: 1, stride: 1 });
  assert.deepEqual(Array.from(y.values), [0]);
  backward(y);
  assert.deepEqual(Array.from(x.grad!.values), [0, 0]);
});

test('rank weights must have shape [taps] or [channels, taps]', () => {
  try {
    ordinalPool2d(uniformTensor([1, 4, 4, 3], 1), tensor([1, 0, 0]), { kernelSize: 2 });
    assert.fail('no error');
  } catch (error) {
    assert.ok(error instanceof PoolkitArgumentError);
    assert.match(error.message, /ordinalPool2d: rankWeights must have shape \[4\] or \[3, 4\]/);
  }
});

test('finite differences agree for input and weights in 1D, 2D and 3D (padding, dilation, per channel)', () => {
  gradcheck(
    (x, w) => ordinalPool1d(x!, w!, { kernelSize: 3, stride: 2, padding: 1 }),
    [tensor(spacedValues(28, 3), [2, 7, 2]), tensor([0.5, -0.25, 0.75])],
  );
  gradcheck(
    (x, w) => ordinalPool2d(x!, w!, { kernelSize: 2, stride: 1, dilation: 2 }),
    [tensor(spacedValues(50, 4), [1, 5, 5, 2]), uniformTensor([2, 4], 6)],
  );
  gradcheck(
    (x, w) => ordinalPool3d(x!, w!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [tensor(spacedValues(54, 5), [1, 2, 3, 3, 3]), uniformTensor([8], 7)],
  );
});

test("the layer's weight 'rank_weights' ([channels, taps], or [taps] with rankScope 'layer') starts at 1/taps and is trained", async () => {
  await assertTrainsWeights(layers.ordinalPooling2d({ poolSize: 2 }), [
    { name: 'rank_weights', shape: [2, 4], initial: 0.25 },
  ]);
  await assertTrainsWeights(layers.ordinalPooling2d({ poolSize: 2, rankScope: 'layer' }), [
    { name: 'rank_weights', shape: [4], initial: 0.25 },
  ]);
});
