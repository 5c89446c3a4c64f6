// Wavelet pooling's GPU kernels (forward and ∂x) against the float64 reference on random shapes (ranks
// 1-3, both layouts, odd and even sizes, NaN, ±Infinity, ±0), within KIND_GPU_BOUNDS.formulaRelative:
// float32 sums of up to 8 cells times 2^(−rank/2); NaN and ±Infinity exactly where the reference has them.
import { test } from 'node:test';
import { adaptiveGeometry } from '../../src/geometry/adaptive-geometry.js';
import { spatialSizes } from '../../src/geometry/layout.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { check, filled, poolCases } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays } from './kinds-harness.js';

const { formulaRelative } = KIND_GPU_BOUNDS;
/** The test's values reach ±4 (plain), −11 (negative); eight of them summed. */
const SCALE = 8 * 11;

test('waveletPoolForward and waveletPoolBackward within formulaRelative of the reference', { skip }, () => {
  check(
    poolCases({ maxSize: 7, maxChannels: 5, maxKernel: 1 }),
    ({ geometry: window, values, seed }) =>
      tidy(() => {
        const format = window.channelsLast ? 'channelsLast' : 'channelsFirst';
        const sizes = spatialSizes(window.inputShape, window.spatialDims, format).map((size) => Math.ceil(size / 2));
        const geometry = adaptiveGeometry('test', window.inputShape, window.spatialDims, sizes, format);
        const input = filled(geometry.inputShape, values, seed);
        const [[expected], [actual]] = bothWays('waveletPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.waveletPoolForward(input.values, y!.values, geometry),
        );
        const near = (reference: ArrayLike<number>) => (index: number) =>
          formulaRelative * (Math.abs(reference[index]!) + SCALE);
        assertWithin(actual!, expected!, near(expected!), 'wavelet');
        const gradOutput = filled(geometry.outputShape, seed % 3 === 0 ? 'special' : 'plain', seed + 1);
        const [[want], [got]] = bothWays('waveletPoolBackward', [{ shape: geometry.inputShape }], (k, [g]) =>
          k.waveletPoolBackward(gradOutput.values, g!.values, geometry),
        );
        assertWithin(got!, want!, near(want!), 'wavelet ∂x');
      }),
    60,
  );
});
