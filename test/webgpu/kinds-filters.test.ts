// BlurPool's GPU kernels (max-blur pooling's blur too) against the reference on random shapes, ranks
// 1-3, both layouts, every padding mode (reflect, replicate, zero), strides, NaN and ±Infinity: the
// float32 sums run in the reference's tap order, so they are within (taps + 4) ulp of Σ|weight·term|.
import { test } from 'node:test';
import fc from 'fast-check';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { blurPoolBackward, type BlurGeometry } from '../../src/kernels/reference/extra/blur-pool.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { blurGeometry } from '../../src/pooling/kinds/blur-geometry.js';
import { tidy } from '../../src/tensor/scope.js';
import { check, filled, type ValueKind } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays } from './kinds-harness.js';

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
      batch: fc.integer({ min: 1, max: 2 }),
      channels: fc.integer({ min: 1, max: 5 }),
      sizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 3, maxLength: 3 }),
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

test('blurPoolForward/Backward within (taps + 4) ulp of the weighted magnitudes', { skip }, () => {
  check(
    blurCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const taps = geometry.filters.reduce((product, filter) => product * filter.length, 1);
        const input = filled(geometry.inputShape, values, seed);
        const ulps = (taps + KIND_GPU_BOUNDS.extraUlps) * 2 ** -23;
        const [[expected], [actual]] = bothWays('blurPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.blurPoolForward(input.values, y!.values, geometry),
        );
        // The weights are positive and sum to 1: Σ|w·x| ≤ the largest |x| (11 for these values).
        assertWithin(actual!, expected!, () => ulps * 11, 'blur');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const [[want], [got]] = bothWays('blurPoolBackward', [{ shape: geometry.inputShape }], (k, [g]) =>
          k.blurPoolBackward(gradOutput.values, g!.values, geometry),
        );
        const magnitudes = new Float32Array(want!.length);
        blurPoolBackward(Float32Array.from(gradOutput.values, Math.abs), magnitudes, geometry);
        assertWithin(got!, want!, (index) => 4 * ulps * magnitudes[index]!, 'blur backward');
      }),
    60,
  );
});
