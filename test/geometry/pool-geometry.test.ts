// poolGeometry, rule by rule: VALID, TensorFlow SAME, PyTorch ceil mode, dilation, padding forms, and
// every argument error; then PyTorch's own output sizes for 400 random 1D windows (golden file).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { poolGeometry, PoolkitArgumentError, type PoolOptions } from '../../src/index.js';

const geometry2d = (shape: number[], options: PoolOptions) => poolGeometry('test', shape, 2, options);

test('VALID: out = floor((H - Keff) / S) + 1 with Keff = (K - 1)·D + 1', () => {
  const valid = geometry2d([1, 7, 9, 1], { kernelSize: 3, stride: 2 });
  assert.deepEqual([valid.outHeight, valid.outWidth], [3, 4]); // floor(4/2)+1, floor(6/2)+1
  assert.deepEqual([valid.padTop, valid.padBottom, valid.padLeft, valid.padRight], [0, 0, 0, 0]);
  const dilated = geometry2d([1, 7, 9, 1], { kernelSize: 3, stride: 2, dilation: 2 });
  assert.deepEqual([dilated.outHeight, dilated.outWidth], [2, 3]); // Keff 5: floor(2/2)+1, floor(4/2)+1
  assert.deepEqual(dilated.outputShape, [1, 2, 3, 1]);
});

test('stride defaults to the kernel size, as in PyTorch and Keras', () => {
  const geometry = geometry2d([1, 6, 6, 1], { kernelSize: [2, 3] });
  assert.deepEqual([geometry.strideHeight, geometry.strideWidth, geometry.outHeight, geometry.outWidth], [2, 3, 3, 2]);
});

test('TensorFlow SAME: out = ceil(H / S), total pad split with the smaller half before', () => {
  const odd = geometry2d([1, 7, 6, 1], { kernelSize: 3, stride: 2, padding: 'same' });
  // Height: out 4, total (4-1)·2+3-7 = 2 → 1 and 1. Width: out 3, total 2·2+3-6 = 1 → 0 before, 1 after.
  assert.deepEqual([odd.outHeight, odd.padTop, odd.padBottom], [4, 1, 1]);
  assert.deepEqual([odd.outWidth, odd.padLeft, odd.padRight], [3, 0, 1]);
  const even = geometry2d([1, 4, 4, 1], { kernelSize: 4, stride: 1, padding: 'same' });
  assert.deepEqual([even.outHeight, even.padTop, even.padBottom], [4, 1, 2]); // total 3
  // A stride past the window needs no padding: total max(0, 1·3 + 1 - 5) = 0.
  const sparse = geometry2d([1, 5, 5, 1], { kernelSize: 1, stride: 3, padding: 'same' });
  assert.deepEqual([sparse.outHeight, sparse.padTop, sparse.padBottom], [2, 0, 0]);
  // With dilation the effective window sets the pad: Keff 5, out 5, total 4.
  const dilated = geometry2d([1, 5, 5, 1], { kernelSize: 3, stride: 1, dilation: 2, padding: 'same' });
  assert.deepEqual([dilated.outHeight, dilated.padTop, dilated.padBottom], [5, 2, 2]);
});

test('PyTorch ceil mode rounds up and drops a last window that starts in the right padding', () => {
  const rounded = geometry2d([1, 5, 5, 1], { kernelSize: 2, stride: 2, ceilMode: true });
  assert.equal(rounded.outHeight, 3); // floor mode gives 2
  assert.equal(geometry2d([1, 5, 5, 1], { kernelSize: 2, stride: 2 }).outHeight, 2);
  // H 3, K 2, S 2, P 1: ceil((3+2-2)/2)+1 = 3, but window 2 starts at 4 - 1 = 3 ≥ H: dropped.
  const dropped = geometry2d([1, 3, 3, 1], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true });
  assert.equal(dropped.outHeight, 2);
  // H 4, K 2, S 2, P 1: window 2 starts at 4 - 1 = 3 < H: kept.
  const kept = geometry2d([1, 4, 4, 1], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true });
  assert.equal(kept.outHeight, 3);
  const dilated = geometry2d([1, 8, 8, 1], { kernelSize: 2, stride: 3, dilation: 2, ceilMode: true });
  assert.equal(dilated.outHeight, 3); // Keff 3: floor((5 + 2)/3)+1 = 3; floor mode gives 2
});

test('explicit padding: one number, one per dimension, or [before, after] per dimension', () => {
  const each = geometry2d([1, 5, 5, 1], {
    kernelSize: 3,
    stride: 1,
    padding: [
      [1, 1],
      [0, 1],
    ],
  });
  assert.deepEqual([each.padTop, each.padBottom, each.padLeft, each.padRight], [1, 1, 0, 1]);
  assert.deepEqual([each.outHeight, each.outWidth], [5, 4]);
  const all = poolGeometry('test', [1, 2, 4, 4, 4], 3, { kernelSize: 2, padding: 1, dataFormat: 'channelsFirst' });
  assert.deepEqual([all.padFront, all.padBack, all.outDepth, all.outHeight, all.outWidth], [1, 1, 3, 3, 3]);
});

test('1D and 3D normalise to depth, height, width; both data formats place channels', () => {
  const line = poolGeometry('test', [2, 3, 9], 1, { kernelSize: 3, dataFormat: 'channelsFirst' });
  assert.deepEqual([line.inDepth, line.inHeight, line.inWidth, line.kernelDepth, line.kernelHeight], [1, 1, 9, 1, 1]);
  assert.deepEqual([line.channels, line.channelsLast, line.outputShape], [3, false, [2, 3, 3]]);
  const volume = poolGeometry('test', [2, 4, 6, 8, 5], 3, { kernelSize: [1, 2, 4] });
  assert.deepEqual([volume.channels, volume.channelsLast, volume.outputShape], [5, true, [2, 4, 3, 2, 5]]);
});

/** Asserts that fn throws a PoolkitArgumentError about `argument`, whose message names it. */
function assertArgumentError(fn: () => unknown, argument: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PoolkitArgumentError, `expected PoolkitArgumentError, got ${String(error)}`);
    assert.equal(error.argument, argument);
    assert.ok(error.message.startsWith(`test: ${argument} `), error.message);
    return true;
  });
}

const errorCases: [string, number[], PoolOptions, string][] = [
  ['zero kernel size', [1, 4, 4, 1], { kernelSize: 0 }, 'kernelSize'],
  ['negative kernel size', [1, 4, 4, 1], { kernelSize: -2 }, 'kernelSize'],
  ['fractional kernel size', [1, 4, 4, 1], { kernelSize: 1.5 }, 'kernelSize'],
  ['NaN kernel size', [1, 4, 4, 1], { kernelSize: NaN }, 'kernelSize'],
  ['kernel size list of the wrong length', [1, 4, 4, 1], { kernelSize: [2, 2, 2] }, 'kernelSize'],
  ['zero stride', [1, 4, 4, 1], { kernelSize: 2, stride: 0 }, 'stride'],
  ['negative stride', [1, 4, 4, 1], { kernelSize: 2, stride: [1, -1] }, 'stride'],
  ['fractional stride', [1, 4, 4, 1], { kernelSize: 2, stride: 1.5 }, 'stride'],
  ['zero dilation', [1, 4, 4, 1], { kernelSize: 2, dilation: 0 }, 'dilation'],
  ['fractional dilation', [1, 4, 4, 1], { kernelSize: 2, dilation: [1, 2.5] }, 'dilation'],
  ['window larger than the input', [1, 3, 3, 1], { kernelSize: 4 }, 'kernelSize'],
  ['window larger than the padded input', [1, 3, 3, 1], { kernelSize: 6, padding: 1 }, 'kernelSize'],
  ['ceil mode window that yields no output', [1, 2, 2, 1], { kernelSize: 5, stride: 1, ceilMode: true }, 'kernelSize'],
  ['dilated window larger than the input', [1, 4, 4, 1], { kernelSize: 3, dilation: 2 }, 'kernelSize'],
  ['padding above half the kernel (PyTorch)', [1, 6, 6, 1], { kernelSize: 3, padding: 2 }, 'padding'],
  [
    'padding above half the kernel on one side',
    [1, 6, 6, 1],
    {
      kernelSize: 4,
      padding: [
        [0, 3],
        [0, 0],
      ],
    },
    'padding',
  ],
  ['negative padding', [1, 6, 6, 1], { kernelSize: 3, padding: -1 }, 'padding'],
  ['fractional padding', [1, 6, 6, 1], { kernelSize: 3, padding: 0.5 }, 'padding'],
  ['unknown padding name', [1, 6, 6, 1], { kernelSize: 3, padding: 'full' as never }, 'padding'],
  ['padding list of the wrong length', [1, 6, 6, 1], { kernelSize: 3, padding: [1, 1, 1] }, 'padding'],
  ['input of rank 3 for 2D pooling', [4, 4, 1], { kernelSize: 2 }, 'input'],
  ['input of rank 5 for 2D pooling', [1, 1, 4, 4, 1], { kernelSize: 2 }, 'input'],
  ['input with an empty spatial axis', [1, 0, 4, 1], { kernelSize: 1 }, 'input'],
  ['unknown data format', [1, 4, 4, 1], { kernelSize: 2, dataFormat: 'NHWC' as never }, 'dataFormat'],
  ['ceil mode with SAME', [1, 4, 4, 1], { kernelSize: 2, padding: 'same', ceilMode: true }, 'ceilMode'],
  ['ceil mode not a boolean', [1, 4, 4, 1], { kernelSize: 2, ceilMode: 1 as never }, 'ceilMode'],
];

for (const [name, shape, options, argument] of errorCases) {
  test(`error: ${name} → PoolkitArgumentError naming ${argument}`, () => {
    assertArgumentError(() => geometry2d(shape, options), argument);
  });
}

test('error: the rank rule follows the spatial dimensions (1D wants rank 3, 3D rank 5)', () => {
  assertArgumentError(() => poolGeometry('test', [1, 4, 4, 1], 1, { kernelSize: 2 }), 'input');
  assertArgumentError(() => poolGeometry('test', [1, 4, 4, 1], 3, { kernelSize: 2 }), 'input');
});

// PyTorch's max_pool1d output sizes for random (input, kernel, stride, padding, dilation, ceil mode):
// [in, kernel, stride, padding, dilation, ceilMode, out], out 0 where PyTorch refuses.
const golden = JSON.parse(readFileSync(new URL('../golden/pool/cases.json', import.meta.url), 'utf8')) as {
  geometry: [number, number, number, number, number, boolean, number][];
};

test('PyTorch golden: 400 random 1D output sizes (ceil mode, dilation, padding, errors)', () => {
  let compared = 0;
  let largerWindows = 0;
  for (const [inSize, kernelSize, stride, padding, dilation, ceilMode, out] of golden.geometry) {
    const options = { kernelSize, stride, padding, dilation, ceilMode };
    const label = JSON.stringify({ inSize, ...options, out });
    const span = inSize + 2 * padding - ((kernelSize - 1) * dilation + 1);
    // In ceil mode PyTorch accepts a window larger than the padded input when one output results.
    if (span < 0 && out > 0) largerWindows++;
    if (out === 0) {
      assert.throws(() => poolGeometry('test', [1, inSize, 1], 1, options), PoolkitArgumentError, label);
      continue;
    }
    assert.equal(poolGeometry('test', [1, inSize, 1], 1, options).outWidth, out, label);
    compared++;
  }
  assert.ok(compared > 150 && largerWindows > 0, `${compared} sizes compared, ${largerWindows} larger windows`);
});

test('ceil mode accepts a window larger than the input when one output results, as PyTorch', () => {
  const geometry = poolGeometry('test', [1, 2, 1], 1, { kernelSize: 3, stride: 2, ceilMode: true });
  assert.equal(geometry.outWidth, 1);
});
