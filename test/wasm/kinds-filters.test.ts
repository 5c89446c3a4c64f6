// The filters family's fast kernels (src/kernels/wasm/kinds/filters.ts) against their reference
// kernels: BlurPool's strided binomial filter bit for bit, forward and backward, on random shapes
// and options (ranks 1-3, both layouts, every pad mode, odd channel counts leaving SIMD remainders),
// values with ties, NaN, ±Infinity and ±0, on 1, 2 and 3 threads.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { blurPoolBackward, blurPoolForward, type BlurGeometry } from '../../src/kernels/reference/extra/blur-pool.js';
import type { PoolingKernels } from '../../src/kernels/types.js';
import { setThreadCount, threadsReady, wasmBackend } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { blurGeometry } from '../../src/pooling/kinds/blur-geometry.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertSame, check, filled, poisoned, type ValueKind } from './harness.js';

function fast(): PoolingKernels {
  assert.ok(wasmBackend !== null, 'the wasm backend did not register');
  return wasmBackend.kernels as unknown as PoolingKernels;
}

before(() => setParallelThreshold(0)); // split even the small random cases among the threads
after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

interface BlurCase {
  geometry: BlurGeometry;
  values: ValueKind;
  seed: number;
}

/** Random BlurPool geometries; shapes the reflect padding rejects are filtered out. */
function blurCases(): fc.Arbitrary<BlurCase> {
  return fc
    .record({
      rank: fc.constantFrom<SpatialDims>(1, 2, 2, 3),
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 11 }),
      sizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
      strides: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
      filterSize: fc.integer({ min: 1, max: 7 }),
      padMode: fc.constantFrom('reflect', 'replicate', 'zero'),
      channelsLast: fc.boolean(),
      values: fc.constantFrom<ValueKind>('plain', 'ties', 'negative', 'special'),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((draw) => {
      const spatial = draw.sizes.slice(3 - draw.rank);
      const shape = draw.channelsLast
        ? [draw.batch, ...spatial, draw.channels]
        : [draw.batch, draw.channels, ...spatial];
      const options = {
        filterSize: draw.filterSize,
        stride: draw.strides.slice(3 - draw.rank),
        padMode: draw.padMode,
        dataFormat: draw.channelsLast ? 'channelsLast' : 'channelsFirst',
      };
      try {
        return { geometry: blurGeometry('test', shape, draw.rank, options), values: draw.values, seed: draw.seed };
      } catch {
        return null;
      }
    })
    .filter((item): item is BlurCase => item !== null);
}

function compareBlur({ geometry, values, seed }: BlurCase): void {
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const [expected, actual] = [poisoned(geometry.outputShape), poisoned(geometry.outputShape)];
    blurPoolForward(input.values, expected.values, geometry);
    fast().blurPoolForward(input.values, actual.values, geometry);
    assertSame(actual.values, expected.values, 'blur forward');
    const gradOutput = filled(geometry.outputShape, seed % 2 === 0 ? 'special' : 'plain', seed + 1);
    const [expectedGrad, actualGrad] = [poisoned(geometry.inputShape), poisoned(geometry.inputShape)];
    blurPoolBackward(gradOutput.values, expectedGrad.values, geometry);
    fast().blurPoolBackward(gradOutput.values, actualGrad.values, geometry);
    assertSame(actualGrad.values, expectedGrad.values, 'blur backward');
  });
}

for (const threads of [1, 2, 3]) {
  test(`blurPoolForward and blurPoolBackward match the reference bit for bit (${threads} threads)`, async () => {
    await setThreadCount(threads);
    await threadsReady();
    check(blurCases(), compareBlur, threads === 1 ? 300 : 100);
  });
}

test('blur kernels on a seed-CNN-sized NHWC input (32 channels, 26×26, filter 4, stride 2) match bit for bit', () => {
  const geometry = blurGeometry('test', [3, 26, 26, 32], 2, { filterSize: 4, stride: 2 });
  compareBlur({ geometry, values: 'plain', seed: 7 });
  compareBlur({ geometry, values: 'special', seed: 8 });
});
