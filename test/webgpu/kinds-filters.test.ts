// BlurPool's GPU kernels (max-blur pooling's blur too) against the reference on random shapes, ranks
// 1-3, both layouts, every padding mode (reflect, replicate, zero), strides, NaN and ±Infinity: the
// float32 sums run in the reference's tap order, so they are within (taps + 4) ulp of Σ|weight·term|.
import { test } from 'node:test';
import { blurPoolBackward } from '../../src/kernels/reference/extra/blur-pool.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { check, filled } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays } from './kinds-harness.js';
import { blurCases } from '../helpers/blur-cases.js';

test('blurPoolForward/Backward within (taps + 4) ulp of the weighted magnitudes', { skip }, () => {
  check(
    blurCases({ batch: 2, channels: 5, size: 8 }),
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
