// Covariance pooling's GPU kernels (forward and ∂x through every Newton–Schulz iteration) against the
// float64 reference kernels on random global shapes (1-3 spatial axes, both layouts, 1 to 8
// iterations), within KIND_GPU_BOUNDS; NaN or ±Infinity make a sample NaN, a zero covariance zeros.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CovarianceGeometry } from '../../src/kernels/reference/extra/covariance-pool.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { globalSetUp } from '../../src/pooling/global-steps.js';
import { tidy } from '../../src/tensor/scope.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { check, filled } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays } from './kinds-harness.js';
import { sampleCases, sampleMaxima } from './kinds-sample-cases.js';

const RUNS = 30;

/** |gpu − reference| ≤ covarianceRelative · the sample's largest |reference|. */
const perSampleBound = (expected: ArrayLike<number>, perSample: number) => {
  const maxima = sampleMaxima(expected, perSample);
  return (index: number) => KIND_GPU_BOUNDS.covarianceRelative * maxima[Math.floor(index / perSample)]!;
};

const covarianceGeometry = (sizes: ReturnType<typeof globalSetUp>['geometry'], iterations: number) => ({
  ...sizes,
  iterations,
  outputShape: [sizes.batch, (sizes.channels * (sizes.channels + 1)) / 2],
});

/** The forward and (unless skipped) ∂x of both tables: [reference, gpu] of each. */
function bothDirections(geometry: CovarianceGeometry & { outputShape: number[] }, input: Tensor, backward: boolean) {
  const forward = bothWays('covariancePoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
    k.covariancePoolForward(input.values, y!.values, geometry),
  );
  if (!backward) return { forward, backward: null };
  const gradOutput = filled(geometry.outputShape, 'plain', input.values.length);
  const gradient = bothWays('covariancePoolBackward', [{ shape: geometry.inputShape, zeroed: true }], (k, [g]) =>
    k.covariancePoolBackward(input.values, gradOutput.values, g!.values, geometry),
  );
  return { forward, backward: gradient };
}

test('covariancePoolForward and covariancePoolBackward within covarianceRelative of the reference', { skip }, () => {
  check(
    sampleCases(['plain', 'plain', 'negative', 'special']),
    ({ geometry: sizes, values, seed }) =>
      tidy(() => {
        const geometry = covarianceGeometry(sizes, 1 + (seed % 8));
        const input = filled(geometry.inputShape, values, seed);
        const result = bothDirections(geometry, input, values !== 'special');
        const [[expected], [actual]] = result.forward;
        assertWithin(actual!, expected!, perSampleBound(expected!, geometry.outputShape[1]!), 'covariance');
        if (result.backward === null) return;
        const [[want], [got]] = result.backward;
        assertWithin(got!, want!, perSampleBound(want!, input.values.length / geometry.batch), 'covariance ∂x');
      }),
    RUNS,
  );
});

test(
  'covariance on the GPU: a constant sample gives zeros and a zero gradient; NaN only in its own sample',
  { skip },
  () =>
    tidy(() => {
      const geometry = covarianceGeometry(globalSetUp('test', [3, 3, 2, 3], {}).geometry, 5);
      const input = filled(geometry.inputShape, 'plain', 11);
      input.values.fill(0.3, 0, 18); // sample 0: every channel constant (0.3: six float32 adds then ÷6 miss it)
      input.values[20] = NaN; // sample 1
      const { forward, backward } = bothDirections(geometry, input, true);
      const [[, actual], [, gradient]] = [forward.map(([values]) => values!), backward!.map(([values]) => values!)];
      assert.deepEqual(Array.from(actual!.subarray(0, 6)), [0, 0, 0, 0, 0, 0]);
      assert.ok(actual!.subarray(6, 12).every(Number.isNaN), 'sample 1 is NaN');
      assert.ok(actual!.subarray(12).every(Number.isFinite), 'sample 2 is finite');
      assert.deepEqual(Array.from(gradient!.subarray(0, 18)), new Array<number>(18).fill(0));
      assertWithin(actual!, forward[0]![0]!, perSampleBound(forward[0]![0]!, 6), 'covariance');
    }),
);
