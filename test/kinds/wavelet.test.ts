// Wavelet pooling against PyTorch golden files (test/golden/wavelet: the paper's two-level Haar steps
// transcribed), the identity with a scaled average pooling, odd sizes, infinities, finite differences.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  layers,
  PoolkitArgumentError,
  tensor,
  waveletPool1d,
  waveletPool2d,
  waveletPool3d,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { checkLayoutCase, readGoldenCases, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

const OPS = { 1: waveletPool1d, 2: waveletPool2d, 3: waveletPool3d } as const;
const golden = readGoldenCases<LayoutCase & { dims: 1 | 2 | 3 }>(
  new URL('../golden/wavelet/cases.json', import.meta.url),
);

test('equals the paper’s steps in PyTorch (two-level Haar FWT, level-2 sub-bands inverted): forward and gradient', () => {
  assert.equal(golden.length, 9);
  for (const entry of golden) checkLayoutCase(entry, (x) => OPS[entry.dims](x, entry.options), { absolute: 2e-6 });
});

test('a 4x4 input 1..16 gives ½·(each 2x2 block’s sum): [[7, 11], [23, 27]]', () => {
  const x = tensor(
    Array.from({ length: 16 }, (_, index) => index + 1),
    [1, 4, 4, 1],
  );
  assertClose(waveletPool2d(x).values, [7, 11, 23, 27]);
});

test('rebuilding from every level-2 sub-band returns level 1: 2^(rank/2)·average over 2×…×2 blocks (ceil mode)', () => {
  // An odd edge block repeats its cells: the average over its in-bounds cells is the same.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 1, max: 100 }),
      (rank, sizes, seed) => {
        const shape = [2, ...sizes.slice(0, rank), 2];
        const x = uniformTensor(shape, seed);
        const options = { kernelSize: 2, ceilMode: true, countIncludePad: false };
        const average = [avgPool1d, avgPool2d, avgPool3d][rank - 1]!(x, options);
        const expected = Array.from(average.values, (value) => 2 ** (rank / 2) * value);
        assertClose(OPS[rank as 1 | 2 | 3](x).values, expected, {
          absolute: 2e-6,
          label: `shape [${shape.join(', ')}]`,
        });
      },
    ),
    { numRuns: 40, seed: 18 },
  );
});

test('1D: (a + b)/√2 per pair, an odd end √2·x; 3D: the 2x2x2 sums over 2√2', () => {
  assertClose(waveletPool1d(tensor([1, 3, 5], [1, 3, 1])).values, [4 / Math.SQRT2, 10 / Math.SQRT2]);
  const cube = waveletPool3d(tensor(new Float32Array(8).fill(1), [1, 2, 2, 2, 1]));
  assertClose(cube.values, [8 / (2 * Math.SQRT2)]);
});

test('NaN spreads over its block; an infinite level-1 cell turns its level-2 partner NaN (∞ − ∞)', () => {
  const y = waveletPool1d(tensor([NaN, 0, 0, 0, 0, 0, 0, 0], [1, 8, 1]));
  assert.ok(Number.isNaN(y.values[0]) && Number.isNaN(y.values[1]));
  assert.deepEqual(Array.from(y.values.slice(2)), [0, 0]);
  // Level 1: [∞, 0, 0, 0]; level 2 gives low = high = ∞ for the first pair; rebuilt: (∞ + ∞), (∞ − ∞).
  const z = waveletPool1d(tensor([Infinity, 0, 0, 0, 0, 0, 0, 0], [1, 8, 1]));
  assert.equal(z.values[0], Infinity);
  assert.ok(Number.isNaN(z.values[1]));
  assert.deepEqual(Array.from(z.values.slice(2)), [0, 0]);
});

test('the seed layer halves 26x26 (level 1 is 13x13, odd) and a wrong rank is refused', () => {
  assert.deepEqual(layers.waveletPooling2d().computeOutputShape([null, 26, 26, 32]), [null, 13, 13, 32]);
  assert.throws(
    () => waveletPool2d(uniformTensor([4, 4, 1], 1)),
    (error: unknown) => error instanceof PoolkitArgumentError && error.argument === 'input',
  );
});

test('finite differences agree in 1D, 2D and 3D, odd and even sizes', () => {
  gradcheck((x) => waveletPool1d(x!), [uniformTensor([2, 7, 2], 3)]);
  gradcheck((x) => waveletPool2d(x!), [uniformTensor([1, 6, 5, 2], 4)]);
  gradcheck((x) => waveletPool3d(x!, { dataFormat: 'channelsFirst' }), [uniformTensor([1, 2, 3, 4, 5], 6)]);
});
