// Spectral pooling against PyTorch golden files (test/golden/spectral: torch.fft transcription), the
// FFT against a direct DFT for every length to 64 and some primes, identities (a constant stays, the
// full size is the identity, one cell is the mean), band-limited signals, NaN, errors, finite differences.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  globalAvgPool,
  layers,
  PoolkitArgumentError,
  spectralPool1d,
  spectralPool2d,
  spectralPool3d,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { fftPlan } from '../../src/kernels/reference/fft.js';
import { Random } from '../../src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { checkLayoutCase, readGoldenCases, type LayoutCase } from '../helpers/golden-cases.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { uniformTensor } from '../helpers/uniform.js';

interface SpectralCase extends LayoutCase {
  kind: 'spectral' | 'diffStride';
  dims: 1 | 2 | 3;
}

const OPS = { 1: spectralPool1d, 2: spectralPool2d, 3: spectralPool3d } as const;

test('equals torch.fft (fftn, crop, ifftn, real part): forward and input gradient', () => {
  const golden = readGoldenCases<SpectralCase>(new URL('../golden/spectral/cases.json', import.meta.url));
  const cases = golden.filter((entry) => entry.kind === 'spectral');
  assert.equal(cases.length, 8);
  for (const entry of cases) checkLayoutCase(entry, (x) => OPS[entry.dims](x, entry.options), { absolute: 1e-5 });
});

test('the FFT equals a direct DFT, both ways, for lengths 1 to 64, 97, 127, 1009 and 1024', () => {
  const random = new Random(1);
  for (const length of [...Array.from({ length: 64 }, (_, index) => index + 1), 97, 127, 1009, 1024]) {
    const re = Float64Array.from({ length }, () => random.uniform() - 0.5);
    const im = Float64Array.from({ length }, () => random.uniform() - 0.5);
    for (const inverse of [false, true]) {
      const [outRe, outIm] = [re.slice(), im.slice()];
      fftPlan(length).transform(outRe, outIm, inverse);
      const sign = inverse ? 1 : -1;
      for (let bin = 0; bin < length; bin += Math.ceil(length / 16)) {
        let [sumRe, sumIm] = [0, 0];
        for (let cell = 0; cell < length; cell++) {
          const angle = (sign * 2 * Math.PI * ((bin * cell) % length)) / length;
          sumRe += re[cell]! * Math.cos(angle) - im[cell]! * Math.sin(angle);
          sumIm += re[cell]! * Math.sin(angle) + im[cell]! * Math.cos(angle);
        }
        assert.ok(
          Math.abs(sumRe - outRe[bin]!) < 1e-9 && Math.abs(sumIm - outIm[bin]!) < 1e-9,
          `length ${length} bin ${bin}`,
        );
      }
    }
  }
});

test('a constant stays the same constant; the full size is the identity; one cell is the mean', () => {
  const constant = tensor(new Float32Array(2 * 9 * 7 * 2).fill(-1.25), [2, 9, 7, 2]);
  assertClose(spectralPool2d(constant, { outputSize: [4, 3] }).values, new Float32Array(2 * 4 * 3 * 2).fill(-1.25));
  const x = uniformTensor([1, 5, 6, 3], 2);
  assertClose(spectralPool2d(x, { outputSize: [5, 6] }).values, x.values, { absolute: 1e-6 });
  assertClose(spectralPool2d(x, { outputSize: 1 }).values, globalAvgPool(x).values, { absolute: 1e-6 });
});

test('each plane keeps its mean (the DC bin), on random ranks, shapes and output sizes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 1, max: 100 }),
      (rank, sizes, fractions, seed) => {
        const spatial = sizes.slice(0, rank);
        const outputSize = spatial.map((size, axis) => Math.max(1, Math.ceil(size * fractions[axis]!)));
        const x = uniformTensor([2, ...spatial, 3], seed);
        const y = OPS[rank as 1 | 2 | 3](x, { outputSize });
        assertClose(globalAvgPool(y).values, globalAvgPool(x).values, {
          absolute: 2e-6,
          label: `[${spatial}] → [${outputSize}]`,
        });
      },
    ),
    { numRuns: 40, seed: 15 },
  );
});

test('a band-limited cosine is resampled exactly on the coarser grid', () => {
  // cos(2π·2n/16) holds frequency ±2 only; kept by an 8-cell crop, it becomes cos(2π·2m/8).
  const signal = tensor(
    Array.from({ length: 16 }, (_, cell) => Math.cos((2 * Math.PI * 2 * cell) / 16)),
    [1, 16, 1],
  );
  const expected = Array.from({ length: 8 }, (_, cell) => Math.cos((2 * Math.PI * 2 * cell) / 8));
  assertClose(spectralPool1d(signal, { outputSize: 8 }).values, expected, { absolute: 1e-6 });
  // The Nyquist bin of an even output: cos(π·n/2)·… at frequency 4 of 16 lands on −4 of 8, averaged with +4.
  const nyquist = tensor(
    Array.from({ length: 16 }, (_, cell) => Math.cos((2 * Math.PI * 4 * cell) / 16)),
    [1, 16, 1],
  );
  assertClose(
    spectralPool1d(nyquist, { outputSize: 8 }).values,
    Array.from({ length: 8 }, (_, cell) => 0.5 * Math.cos(Math.PI * cell)),
    { absolute: 1e-6 },
  );
});

test('NaN reaches every output of its plane only; bad options are refused', () => {
  const x = uniformTensor([1, 6, 6, 2], 3);
  x.values[0] = NaN; // channel 0 of the only sample
  const y = spectralPool2d(x, { outputSize: 3 }).values;
  assert.ok(Array.from(y).every((value, index) => (index % 2 === 0 ? Number.isNaN(value) : Number.isFinite(value))));
  const refuses = (run: () => Tensor, argument: string) =>
    assert.throws(run, (error: unknown) => error instanceof PoolkitArgumentError && error.argument === argument);
  refuses(() => spectralPool2d(x, { outputSize: 7 }), 'outputSize');
  refuses(() => spectralPool2d(x, { outputSize: [2.5, 2] }), 'outputSize');
  refuses(() => spectralPool2d(x, { stride: 0.5 }), 'stride');
  refuses(() => spectralPool2d(x, { stride: 2, outputSize: 3 }), 'stride');
  assert.deepEqual(layers.spectralPooling2d({ strides: 2 }).computeOutputShape([null, 26, 26, 32]), [null, 13, 13, 32]);
});

test('finite differences agree in 1D, 2D and 3D, odd and even sizes', () => {
  gradcheck((x) => spectralPool1d(x!, { outputSize: 4 }), [uniformTensor([2, 7, 2], 3)]);
  gradcheck((x) => spectralPool2d(x!, { outputSize: [3, 4] }), [uniformTensor([1, 6, 5, 2], 4)]);
  gradcheck((x) => spectralPool3d(x!, { stride: 2, dataFormat: 'channelsFirst' }), [uniformTensor([1, 2, 3, 4, 5], 5)]);
});
