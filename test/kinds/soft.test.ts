// SoftPool against PyTorch golden cases (golden/soft/generate.py: the paper's equation, autograd's
// gradients), hand-worked windows, its rules for ties, padding, NaN and ±Infinity, and finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backward, requireGrad, softPool1d, softPool2d, softPool3d, tensor, tidy } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';
import { checkGoldenCase, readGolden, type GoldenOp } from './formula-golden.js';

const OPS: Record<string, GoldenOp> = { softPool1d, softPool2d, softPool3d };
const golden = readGolden('soft');

test('the golden file covers ranks 1 to 3', () => {
  assert.deepEqual(new Set(golden.cases.map((item) => item.op)), new Set(Object.keys(OPS)));
});

for (const item of golden.cases) test(`PyTorch golden: ${item.name}`, () => checkGoldenCase(item, OPS[item.op]!));

/** A 2x2 window's output and input gradient (upstream gradient 1). */
function window(values: number[]): { output: number; gradient: number[] } {
  return tidy(() => {
    const x = requireGrad(tensor(values, [1, 2, 2, 1]));
    const y = softPool2d(x, { kernelSize: 2 });
    backward(y);
    return { output: y.values[0]!, gradient: Array.from(x.grad!.values) };
  });
}

test('a 2x2 window [1, 2, 3, 4] gives Σ e^k·k / Σ e^k, gradient s_k(1 + x_k − y)', () => {
  const exps = [1, 2, 3, 4].map(Math.exp);
  const total = exps.reduce((sum, value) => sum + value, 0);
  const expected = exps.reduce((sum, value, index) => sum + value * (index + 1), 0) / total;
  const { output, gradient } = window([1, 2, 3, 4]);
  assertClose([output], [expected]);
  assertClose(
    gradient,
    exps.map((value, index) => (value / total) * (1 + index + 1 - expected)),
  );
});

test('ties share equally; an all-negative window stays negative (no clamping at 0)', () => {
  assert.deepEqual(window([2, 2, 2, 2]), { output: 2, gradient: [0.25, 0.25, 0.25, 0.25] });
  const negative = window([-1, -2, -3, -4]);
  assert.ok(negative.output < -1 && negative.output > -2, `${negative.output}`);
});

test('large inputs do not overflow (the softmax is shifted by the window max)', () => {
  const { output, gradient } = window([1000, 1000, 0, 0]);
  assert.equal(output, 1000);
  assertClose(gradient, [0.5, 0.5, 0, 0]);
});

test('NaN and +Infinity make the output NaN and +Infinity with no gradient; −Infinity cells take no weight', () => {
  const nan = window([1, NaN, 3, 4]);
  assert.ok(Number.isNaN(nan.output));
  assert.deepEqual(nan.gradient, [0, 0, 0, 0]);
  assert.deepEqual(window([1, Infinity, 3, Infinity]), { output: Infinity, gradient: [0, 0, 0, 0] });
  const minusInfinity = window([-Infinity, 1, 1, 1]);
  assert.equal(minusInfinity.output, 1);
  assertClose(minusInfinity.gradient, [0, 1 / 3, 1 / 3, 1 / 3]);
  assert.equal(window([-Infinity, -Infinity, -Infinity, -Infinity]).output, -Infinity);
});

test('padding takes no weight, and a window with no in-bounds cell (dilation) outputs 0 with no gradient', () => {
  // SAME on 3 cells with a 2-wide stride-2 window: windows (a, b) and (c, pad): the second is c itself.
  assert.deepEqual(
    Array.from(softPool1d(tensor([0, 0, -7], [1, 3, 1]), { kernelSize: 2, padding: 'same' }).values),
    [0, -7],
  );
  const x = requireGrad(tensor([5, 6], [1, 2, 1]));
  const y = softPool1d(x, { kernelSize: 2, dilation: 3, padding: 1, stride: 1 }); // taps −1 and 2: both outside
  assert.deepEqual(Array.from(y.values), [0]);
  backward(y);
  assert.deepEqual(Array.from(x.grad!.values), [0, 0]);
});

test('finite differences agree in 1D, 2D and 3D (overlapping windows, padding, dilation, ceil mode)', () => {
  gradcheck((x) => softPool1d(x!, { kernelSize: 3, stride: 2, padding: 1 }), [uniformTensor([2, 7, 2], 3)]);
  gradcheck((x) => softPool2d(x!, { kernelSize: 2, stride: 1, dilation: 2 }), [uniformTensor([1, 5, 5, 2], 4)]);
  gradcheck(
    (x) => softPool3d(x!, { kernelSize: 2, ceilMode: true, dataFormat: 'channelsFirst' }),
    [uniformTensor([1, 2, 3, 3, 3], 5)],
  );
});
