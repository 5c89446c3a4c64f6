// Average and Lp pooling by hand: the seed article's example, the divisor rules, the empty window,
// Lp's definition, and every argument error of avg/lp options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  backward,
  lpPool1d,
  lpPool2d,
  lpPool3d,
  PoolkitArgumentError,
  requireGrad,
  tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';

test('seed article: the 2x2 average of 1, 2, 3, 4 is 2.5', () => {
  const output = avgPool2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), { kernelSize: 2 });
  assert.deepEqual(output.shape, [1, 1, 1, 1]);
  assert.deepEqual(Array.from(output.values), [2.5]);
});

test('countIncludePad: true by default for numeric padding, false for same; explicit wins', () => {
  const input = tensor([1, 2, 3], [1, 3, 1]); // 1D, channelsLast
  // Kernel 3, stride 1, padding 1: the first window holds (pad, 1, 2).
  assert.deepEqual(
    Array.from(avgPool1d(input, { kernelSize: 3, stride: 1, padding: 1 }).values),
    [1, 2, 5 / 3].map(Math.fround),
  );
  assert.deepEqual(
    Array.from(avgPool1d(input, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false }).values),
    [1.5, 2, 2.5],
  );
  assert.deepEqual(Array.from(avgPool1d(input, { kernelSize: 3, stride: 1, padding: 'same' }).values), [1.5, 2, 2.5]);
  assert.deepEqual(
    Array.from(avgPool1d(input, { kernelSize: 3, stride: 1, padding: 'same', countIncludePad: true }).values),
    [1, 2, 5 / 3].map(Math.fround),
  );
});

test('ceil-mode overhang never counts in the divisor, padding does', () => {
  // H 4, K 3, S 2, P 1, ceil: windows [-1..1], [1..3], [3..5]; the last overhangs past 4 + 1.
  const input = tensor([1, 2, 3, 4], [1, 1, 4]);
  const options = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, dataFormat: 'channelsFirst' } as const;
  // Divisors with padding counted: 3, 3, and 2 (cell 3 and the one pad cell 4; cell 5 is overhang).
  assertClose(avgPool1d(input, options).values, [3 / 3, 9 / 3, 4 / 2]);
  assertClose(avgPool1d(input, { ...options, countIncludePad: false }).values, [3 / 2, 9 / 3, 4 / 1]);
  assertClose(avgPool1d(input, { ...options, divisorOverride: 2 }).values, [3 / 2, 9 / 2, 4 / 2]);
});

test('avg backward spreads gradOutput / divisor over in-bounds cells', () => {
  const input = requireGrad(tensor([1, 2, 3, 4], [1, 1, 4]));
  const output = avgPool1d(input, {
    kernelSize: 3,
    stride: 2,
    padding: 1,
    ceilMode: true,
    dataFormat: 'channelsFirst',
  });
  backward(output, tensor([3, 6, 2], [1, 1, 3]));
  // Cell 0: 3/3; cell 1: 3/3 + 6/3; cell 2: 6/3; cell 3: 6/3 + 2/2.
  assertClose(input.grad!.values, [1, 3, 2, 3]);
});

test('an empty window (SAME with dilation) averages to 0 and passes no gradient', () => {
  // H 1, K 2, D 3, SAME: Keff 4, pads 1 and 2; taps at -1 and 2 miss the single cell.
  const input = requireGrad(tensor([7], [1, 1, 1]));
  const average = avgPool1d(input, { kernelSize: 2, stride: 1, dilation: 3, padding: 'same' });
  assert.deepEqual(Array.from(average.values), [0]);
  backward(average, tensor([1], [1, 1, 1]));
  assert.deepEqual(Array.from(input.grad!.values), [0]);
  const counted = avgPool1d(input, { kernelSize: 2, stride: 1, dilation: 3, padding: 'same', countIncludePad: true });
  assert.deepEqual(Array.from(counted.values), [0]);
  assert.deepEqual(
    Array.from(lpPool1d(input, { p: 2, kernelSize: 2, stride: 1, dilation: 3, padding: 'same' }).values),
    [0],
  );
});

test('lp: (Σ |x|^p)^(1/p); p = 1 sums magnitudes, p = 2 is the Euclidean norm; padding adds 0', () => {
  const input = tensor([3, -4, 0, 12], [1, 2, 2, 1]);
  assert.deepEqual(Array.from(lpPool2d(input, { p: 1, kernelSize: 2 }).values), [19]);
  assert.deepEqual(Array.from(lpPool2d(input, { p: 2, kernelSize: 2 }).values), [13]);
  assertClose(lpPool2d(input, { normType: 3, kernelSize: 2 }).values, [Math.cbrt(27 + 64 + 1728)]);
  // Windows of 2x2 over the padded 4x4: each holds the in-bounds cells it covers.
  const padded = [3, 5, 4, 3, 13, Math.sqrt(160), 0, 12, 12];
  assertClose(lpPool2d(input, { p: 2, kernelSize: 2, stride: 1, padding: 1 }).values, padded);
});

test('lp backward: |x|^(p-1)·sign(x) / out^(p-1), and 0 where out is 0', () => {
  const input = requireGrad(tensor([3, -4, 0, 0], [1, 1, 4]));
  const output = lpPool1d(input, { p: 2, kernelSize: 2, dataFormat: 'channelsFirst' });
  assert.deepEqual(Array.from(output.values), [5, 0]);
  backward(output, tensor([10, 10], [1, 1, 2]));
  assertClose(input.grad!.values, [6, -8, 0, 0]);
});

test('3D average and Lp run through the same walk', () => {
  const input = tensor(
    Array.from({ length: 8 }, (_, index) => index + 1),
    [1, 2, 2, 2, 1],
  );
  assert.deepEqual(Array.from(avgPool3d(input, { kernelSize: 2 }).values), [4.5]);
  assertClose(lpPool3d(input, { p: 2, kernelSize: 2 }).values, [Math.sqrt(204)]);
});

function assertArgumentError(fn: () => unknown, op: string, argument: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PoolkitArgumentError, `expected PoolkitArgumentError, got ${String(error)}`);
    assert.equal(error.argument, argument);
    assert.ok(error.message.startsWith(`${op}: ${argument} `), error.message);
    return true;
  });
}

const x2d = () => tensor(new Float32Array(16), [1, 4, 4, 1]);
const avgErrors: [string, Record<string, unknown>, string][] = [
  ['divisorOverride 0', { kernelSize: 2, divisorOverride: 0 }, 'divisorOverride'],
  ['fractional divisorOverride', { kernelSize: 2, divisorOverride: 2.5 }, 'divisorOverride'],
  ['NaN divisorOverride', { kernelSize: 2, divisorOverride: NaN }, 'divisorOverride'],
  ['infinite divisorOverride', { kernelSize: 2, divisorOverride: Infinity }, 'divisorOverride'],
  ['string divisorOverride', { kernelSize: 2, divisorOverride: '4' }, 'divisorOverride'],
  ['countIncludePad not a boolean', { kernelSize: 2, countIncludePad: 1 }, 'countIncludePad'],
  ['missing kernelSize', {}, 'kernelSize'],
];
for (const [name, options, argument] of avgErrors) {
  test(`avgPool2d error: ${name} → ${argument}`, () => {
    assertArgumentError(() => avgPool2d(x2d(), options as never), 'avgPool2d', argument);
  });
}

const lpErrors: [string, Record<string, unknown>, string][] = [
  ['missing p', { kernelSize: 2 }, 'p'],
  ['p below 1', { p: 0.5, kernelSize: 2 }, 'p'],
  ['p 0', { p: 0, kernelSize: 2 }, 'p'],
  ['negative p', { p: -2, kernelSize: 2 }, 'p'],
  ['infinite p', { p: Infinity, kernelSize: 2 }, 'p'],
  ['NaN p', { p: NaN, kernelSize: 2 }, 'p'],
  ['string p', { p: '2', kernelSize: 2 }, 'p'],
  ['normType below 1', { normType: 0.9, kernelSize: 2 }, 'normType'],
  ['p and normType disagree', { p: 2, normType: 3, kernelSize: 2 }, 'p'],
  ['bad kernel', { p: 2, kernelSize: 0 }, 'kernelSize'],
];
for (const [name, options, argument] of lpErrors) {
  test(`lpPool2d error: ${name} → ${argument}`, () => {
    assertArgumentError(() => lpPool2d(x2d(), options as never), 'lpPool2d', argument);
  });
}

test('avg and lp errors: options and input are checked', () => {
  assertArgumentError(() => avgPool2d(x2d(), null as never), 'avgPool2d', 'options');
  assertArgumentError(() => lpPool3d([1, 2] as never, { p: 2, kernelSize: 1 }), 'lpPool3d', 'input');
  assertArgumentError(() => avgPool1d(x2d(), { kernelSize: 2 }), 'avgPool1d', 'input');
  assert.equal(lpPool2d(x2d(), { p: 2, normType: 2, kernelSize: 2 }).shape.join(), '1,2,2,1');
});
