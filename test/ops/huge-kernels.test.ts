// Huge windows (issue #20, item 5): a window is clipped to the input by arithmetic, so a kernel of
// up to 2^31 - 1 cells costs what the input costs, and gives the numbers of the window it reduces
// to. A 'same' window larger than twice the input covers the whole input, in the order a 'valid'
// window of the input's size does: the two must agree bit for bit, on every backend. The timeouts
// are hang guards: before the clipped walk each of these calls walked 2^31 taps per window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgPool1d,
  avgPool3d,
  initLstmPoolWeights,
  lpPool1d,
  lpPool2d,
  lstmPool2d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  mixedPool2d,
  randomPool2d,
  stochasticPool2d,
  tensor,
  tidy,
  type PoolOptions,
  type Tensor,
} from '../../src/index.js';
import { GPU_BOUNDS } from '../../src/kernels/webgpu/gpu-kernels.js';
import { assertClose } from '../helpers/assert-close.js';

const HANG_GUARD = { timeout: 60_000 };
const LARGEST = 2 ** 31 - 1;

const sameBits = (actual: Tensor, expected: Tensor, label: string): void => {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.deepEqual(Array.from(actual.values), Array.from(expected.values), label);
};

/** An input [1, 3, 4, 2] of distinct values, some negative. */
const image = (): Tensor =>
  tensor(
    Array.from({ length: 24 }, (_, index) => ((index * 7) % 24) - 9.5),
    [1, 3, 4, 2],
  );

test('1D: a window of 2^31 - 1 taps, SAME, reduces to the whole input', HANG_GUARD, () => {
  tidy(() => {
    const row = tensor([[[1], [5], [3], [4], [2]]]);
    assert.deepEqual(maxPool1d(row, { kernelSize: LARGEST, padding: 'same' }).toArray(), [[[5]]]);
    assert.deepEqual(maxPool1d(row, { kernelSize: 1e9, padding: 'same' }).toArray(), [[[5]]]);
    assert.deepEqual(avgPool1d(row, { kernelSize: LARGEST, padding: 'same' }).toArray(), [[[3]]]);
    sameBits(
      lpPool1d(row, { p: 3, kernelSize: LARGEST, padding: 'same' }),
      lpPool1d(row, { p: 3, kernelSize: 5 }),
      'lp',
    );
    // Counting padding: PyTorch divides by the taps inside input plus padding, here 2^31 - 1.
    const counted = avgPool1d(row, { kernelSize: LARGEST, padding: 'same', countIncludePad: true });
    assertClose(counted.values, [15 / LARGEST], { relative: 1e-6, absolute: 0 });
  });
});

test('ceil mode with explicit padding: a window of 2^30 taps, its overhang never counted', HANG_GUARD, () => {
  tidy(() => {
    const row = tensor([[[1], [5], [3], [4], [2]]]);
    const options: PoolOptions = { kernelSize: 2 ** 30, padding: 2 ** 29, ceilMode: true };
    assert.deepEqual(maxPool1d(row, options).toArray(), [[[5]]]);
    // Window [-2^29, 2^29 + 5): 5 cells, padded taps min(2^30, 5 + 2·2^29) = 2^30.
    assertClose(avgPool1d(row, options).values, [15 / 2 ** 30], { relative: 1e-6, absolute: 0 });
  });
});

test('2D: every sliding kind over a huge SAME window equals the valid window of the input size', HANG_GUARD, () => {
  tidy(() => {
    const x = image();
    const huge: PoolOptions = { kernelSize: [40000, 50000], padding: 'same' };
    const whole: PoolOptions = { kernelSize: [3, 4] };
    sameBits(maxPool2d(x, huge), maxPool2d(x, whole), 'max');
    sameBits(lpPool2d(x, { ...huge, p: 2 }), lpPool2d(x, { ...whole, p: 2 }), 'lp p=2');
    sameBits(lpPool2d(x, { ...huge, p: 1.5 }), lpPool2d(x, { ...whole, p: 1.5 }), 'lp p=1.5');
    const alpha = tensor([0.25]);
    sameBits(mixedPool2d(x, alpha, huge), mixedPool2d(x, alpha, whole), 'mixed');
    const positive = tensor(Array.from(x.values, Math.abs), x.shape);
    sameBits(stochasticPool2d(positive, huge), stochasticPool2d(positive, whole), 'stochastic');
    sameBits(randomPool2d(x, huge), randomPool2d(x, whole), 'random');
    const weights = initLstmPoolWeights(2, 3, 7);
    sameBits(lstmPool2d(x, weights, huge), lstmPool2d(x, weights, whole), 'lstm');
  });
});

test('3D: 2^31 - 1 taps in all (1290 per axis) at stride 1: every window holds the whole input', HANG_GUARD, () => {
  tidy(() => {
    const cube = tensor([3, -1, 4, 1, -5, 9, 2, 6], [1, 2, 2, 2, 1]);
    const options: PoolOptions = { kernelSize: 1290, stride: 1, padding: 'same' };
    assert.deepEqual(Array.from(maxPool3d(cube, options).values), Array<number>(8).fill(9));
    assert.deepEqual(Array.from(avgPool3d(cube, options).values), Array<number>(8).fill(19 / 8));
  });
});

test('strides and dilations of 2^31 - 1 give the numbers of one tap per window', HANG_GUARD, () => {
  tidy(() => {
    const values = tensor([[[1.5], [2], [3]]]);
    // Kernel 1: every window is one cell, whatever the dilation (issue #20, item 4: wasm gave [0, 0, 3]).
    // (|x|^1.5)^(1/1.5) = x: exact on the CPU backends, within the WebGPU bound for other p (GPU_BOUNDS.powerRelative).
    const lp = lpPool1d(values, { p: 1.5, kernelSize: 1, dilation: LARGEST });
    assert.deepEqual(lp.shape, [1, 3, 1]);
    assertClose(lp.values, [1.5, 2, 3], { absolute: 0, relative: GPU_BOUNDS.powerRelative, label: 'lp' });
    assert.deepEqual(avgPool1d(values, { kernelSize: 2, stride: LARGEST }).toArray(), [[[1.75]]]);
  });
});
