// GeM pooling against PyTorch golden cases (golden/gem/generate.py: the paper's equation, autograd's
// gradients of input and p), hand-worked windows, its rules for the clamp, NaN and ±Infinity, p's
// checks, finite differences for input and p, and its layer's weight 'p' trained by fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  gemPool1d,
  gemPool2d,
  gemPool3d,
  layers,
  lpPool2d,
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

const OPS: Record<string, GoldenOp> = { gemPool1d, gemPool2d, gemPool3d };
const golden = readGolden('gem');
const EPSILON = Math.fround(1e-6);

test('the golden file covers ranks 1 to 3', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.op)), new Set(Object.keys(OPS)));
});

for (const item of golden.cases) test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, OPS[item.op]!));

/** A 2x2 window's output and the gradients of input and p (upstream gradient 1). */
function window(values: number[], p: number): { output: number; gradient: number[]; gradP: number } {
  return tidy(() => {
    const x = requireGrad(tensor(values, [1, 2, 2, 1]));
    const power = requireGrad(tensor([p]));
    const y = gemPool2d(x, power, { kernelSize: 2 });
    backward(y);
    return { output: y.values[0]!, gradient: Array.from(x.grad!.values), gradP: power.grad!.values[0]! };
  });
}

test('[1, 2, 3, 4] with p = 2 is √(30/4); p = 1 is the mean; it is not Lp pooling (a sum)', () => {
  const { output, gradient } = window([1, 2, 3, 4], 2);
  assertClose([output], [Math.sqrt(7.5)]);
  assertClose(
    gradient,
    [1, 2, 3, 4].map((value) => value / (4 * Math.sqrt(7.5))),
  );
  assertClose([window([1, 2, 3, 4], 1).output], [2.5]);
  const lp = lpPool2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { p: 2, kernelSize: 2 }).values[0]!;
  assertClose([lp], [Math.sqrt(30)]); // Lp sums: GeM = Lp / n^(1/p) on non-negative input
});

test('the clamp: an all-negative window gives ε with no gradient; cells below ε get none, ε itself does', () => {
  const negative = window([-1, -2, -3, -4], 3);
  assert.equal(negative.output, EPSILON);
  assert.deepEqual(negative.gradient, [0, 0, 0, 0]);
  assertClose([negative.gradP], [0]);
  const mixed = window([-1, EPSILON, 2, 2], 3);
  assert.equal(mixed.gradient[0], 0);
  assert.ok(mixed.gradient[1]! > 0 && mixed.gradient[2]! > 0);
});

test('NaN gives NaN and +Infinity gives +Infinity, with no gradient; −Infinity is clamped to ε', () => {
  const nan = window([1, NaN, 3, 4], 3);
  assert.ok(Number.isNaN(nan.output));
  assert.deepEqual([...nan.gradient, nan.gradP], [0, 0, 0, 0, 0]);
  assert.deepEqual(window([1, Infinity, 3, 4], 3), { output: Infinity, gradient: [0, 0, 0, 0], gradP: 0 });
  const minusInfinity = window([-Infinity, 2, 2, 2], 1);
  assertClose([minusInfinity.output], [(EPSILON + 6) / 4]);
  assert.equal(minusInfinity.gradient[0], 0);
});

test('no overflow: 1e30 in every cell with p = 12 gives 1e30 (the powers are scaled by the window max)', () => {
  assertClose([window([1e30, 1e30, 1e30, 1e30], 12).output], [1e30], { relative: 1e-6 });
  assertClose([window([1e30, 1, 1, 1], 12).output], [1e30 / Math.pow(4, 1 / 12)], { relative: 1e-6 });
});

test('ratios below the normal float32 range: [1e38, 0, 0, 0] with p = 0.01 (each ε/1e38 is subnormal)', () => {
  const largest = Math.fround(1e38);
  const expected = largest * Math.pow((1 + 3 * Math.pow(EPSILON / largest, 0.01)) / 4, 100);
  assertClose([window([1e38, 0, 0, 0], 0.01).output], [expected], { relative: 1e-4 });
});

test('overlapping windows with a subnormal ε/s: [1e38, ε, ε] with p = 0.01, kernel 2, stride 1', () => {
  tidy(() => {
    const x = requireGrad(tensor([1e38, EPSILON, EPSILON], [1, 3, 1]));
    const y = gemPool1d(x, tensor([0.01]), { kernelSize: 2, stride: 1 });
    backward(y, tensor([1, 1], [1, 2, 1]));
    const first = Math.fround(1e38) * Math.pow((1 + Math.pow(EPSILON / Math.fround(1e38), 0.01)) / 2, 100);
    assertClose(Array.from(y.values), [first, EPSILON], { relative: 1e-4 });
    // ∂y/∂xᵢ = (cᵢ/y)^(p−1)/n from each window holding the cell.
    const share = (cell: number, output: number) => Math.pow(cell / output, 0.01 - 1) / 2;
    const expected = [share(Math.fround(1e38), first), share(EPSILON, first) + 0.5, 0.5];
    assertClose(Array.from(x.grad!.values), expected, { relative: 1e-4 });
  });
});

test('p must be finite and non-zero, of shape [1] or [channels]', () => {
  const x = uniformTensor([1, 4, 4, 3], 1);
  const message = (p: number[], shape: number[]) => {
    try {
      gemPool2d(x, tensor(p, shape), { kernelSize: 2 });
    } catch (error) {
      assert.ok(error instanceof PoolkitArgumentError);
      return error.message;
    }
    return 'no error';
  };
  assert.match(message([0], [1]), /gemPool2d: p must hold finite non-zero numbers/);
  assert.match(message([NaN], [1]), /gemPool2d: p must hold finite non-zero numbers/);
  assert.match(message([3, 3], [2]), /gemPool2d: p must have shape \[1\] or \[3\]/);
  assert.throws(
    () => layers.gemPooling2d({ pInitial: 0 }).build([null, 4, 4, 3]),
    /pInitial must be a finite non-zero number/,
  );
});

test('finite differences agree for input and p in 1D, 2D and 3D (padding, dilation, per channel p)', () => {
  const positive = (shape: number[], seed: number) =>
    tensor(
      Array.from(uniformTensor(shape, seed).values, (value) => Math.abs(value) + 0.2),
      shape,
    );
  gradcheck(
    (x, p) => gemPool1d(x!, p!, { kernelSize: 3, stride: 2, padding: 1 }),
    [positive([2, 7, 2], 3), tensor([3])],
  );
  gradcheck(
    (x, p) => gemPool2d(x!, p!, { kernelSize: 2, stride: 1, dilation: 2 }),
    [positive([1, 5, 5, 2], 4), tensor([2, 4.5])],
  );
  gradcheck(
    (x, p) => gemPool3d(x!, p!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [positive([1, 2, 3, 3, 3], 5), tensor([-1.5])],
  );
});

test("the layer's weight 'p' ([1], or [channels] with pScope 'channel') starts at 3 and is trained", async () => {
  await assertTrainsWeights(layers.gemPooling2d({ poolSize: 2 }), [{ name: 'p', shape: [1], initial: 3 }]);
  await assertTrainsWeights(layers.gemPooling2d({ poolSize: 2, pScope: 'channel', pInitial: 2 }), [
    { name: 'p', shape: [2], initial: 2 },
  ]);
});
