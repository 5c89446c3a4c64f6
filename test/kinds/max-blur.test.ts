// MaxBlurPool against PyTorch golden files (test/golden/blur: MaxPool(k, stride 1) then the paper's
// BlurPool), identities with max pooling and BlurPool, ties, NaN, the seed layer, finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backward,
  blurPool2d,
  layers,
  maxBlurPool1d,
  maxBlurPool2d,
  maxBlurPool3d,
  maxPool2d,
  memoryStats,
  PoolkitArgumentError,
  requireGrad,
  sum,
  tensor,
  tidy,
} from '../../src/index.js';
import { checkLayoutCase, readGoldenCases, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck, spacedTensor } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

interface BlurCase extends LayoutCase {
  kind: 'blur' | 'maxBlur';
  dims: 1 | 2 | 3;
}

const OPS = { 1: maxBlurPool1d, 2: maxBlurPool2d, 3: maxBlurPool3d } as const;
const golden = readGoldenCases<BlurCase>(new URL('../golden/blur/cases.json', import.meta.url));

test('equals MaxPool(k, stride 1) then the paper’s BlurPool in PyTorch: forward and input gradient', () => {
  const cases = golden.filter((entry) => entry.kind === 'maxBlur');
  assert.ok(cases.length >= 5);
  for (const entry of cases)
    checkLayoutCase(entry, (x) => OPS[entry.dims](x, entry.options), { absolute: 1e-5, relative: 1e-5 });
});

test('a 4x4 input 1..16: 2x2 maxima at stride 1, then [1, 1]/2 ⊗ [1, 1]/2 at stride 2', () => {
  const x = tensor(
    Array.from({ length: 16 }, (_, index) => index + 1),
    [1, 4, 4, 1],
  );
  // Maxima [[6, 7, 8], [10, 11, 12], [14, 15, 16]]; f = 2 pads one cell after, reflected: m[3] = m[1].
  const y = maxBlurPool2d(x, { filterSize: 2 });
  assert.deepEqual(Array.from(y.values), [8.5, 9.5, 12.5, 13.5]);
});

test('filterSize 1 is max pooling with the stride; any filter is BlurPool of the dense maxima', () => {
  const x = uniformTensor([2, 9, 8, 3], 7);
  assert.deepEqual(
    Array.from(maxBlurPool2d(x, { kernelSize: 3, filterSize: 1, stride: 2 }).values),
    Array.from(maxPool2d(x, { kernelSize: 3, stride: 2 }).values),
  );
  const dense = maxPool2d(x, { kernelSize: 2, stride: 1 });
  assert.deepEqual(
    Array.from(maxBlurPool2d(x, { filterSize: 5, padMode: 'replicate' }).values),
    Array.from(blurPool2d(dense, { filterSize: 5, padMode: 'replicate' }).values),
  );
});

test('NaN propagates through the maxima; the first of tied maxima gets the gradient', () => {
  // Dense maxima [NaN, NaN, 3, 4, 5, 6, 7], every second one kept.
  const y = maxBlurPool1d(tensor([1, NaN, 2, 3, 4, 5, 6, 7], [1, 8, 1]), { filterSize: 1 });
  assert.ok(Number.isNaN(y.values[0]));
  assert.deepEqual(Array.from(y.values).slice(1), [3, 5, 7]);
  const tied = requireGrad(tensor([2, 2, 2], [1, 3, 1]));
  backward(maxBlurPool1d(tied, { filterSize: 1, stride: 1 }), tensor([1, 10], [1, 2, 1]));
  assert.deepEqual(Array.from(tied.grad!.values), [1, 10, 0]);
});

test('the seed layer maps 26x26x32 to 13x13x32; a window larger than the input is refused', () => {
  const layer = layers.maxBlurPooling2d({ poolSize: 2, filterSize: 4, strides: 2 });
  assert.deepEqual(layer.computeOutputShape([null, 26, 26, 32]), [null, 13, 13, 32]);
  assert.throws(
    () => maxBlurPool2d(uniformTensor([1, 2, 2, 1], 1), { kernelSize: 3 }),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'kernelSize',
  );
});

test('finite differences agree in 1D, 2D and 3D (values spaced so no argmax flips)', () => {
  gradcheck((x) => maxBlurPool1d(x!, { kernelSize: 3, filterSize: 3 }), [spacedTensor([2, 9, 2], 3)]);
  gradcheck((x) => maxBlurPool2d(x!, { filterSize: 4 }), [spacedTensor([1, 6, 7, 2], 4)]);
  gradcheck(
    (x) => maxBlurPool3d(x!, { filterSize: 2, padMode: 'zero', dataFormat: 'channelsFirst' }),
    [spacedTensor([1, 2, 3, 4, 4], 5)],
  );
});

test('forward and backward leave no tensor behind (the dense maxima are temporaries)', () => {
  const run = () =>
    tidy(() => {
      const x = requireGrad(uniformTensor([2, 9, 9, 3], 8));
      backward(sum(maxBlurPool2d(x, { filterSize: 3 })));
    });
  run();
  const before = memoryStats().bytesUndisposed;
  run();
  assert.equal(memoryStats().bytesUndisposed, before);
});
