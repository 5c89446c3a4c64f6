// The weighted window kinds' GPU kernels (AdaPool: forward, ∂x and ∂β; DPP: forward, ∂x, ∂α and ∂λ) against their float64
// reference kernels on random shapes and options (ranks 1-3, both layouts, padding, dilation, ceil
// mode, ties, NaN, ±Infinity, ±0), within KIND_GPU_BOUNDS: float32 with WGSL's exp and pow.
import { test } from 'node:test';
import type { PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { referencePoolKernels } from '../../src/kernels/reference/pool-kernels.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { check, filled, generator, poolCases } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays, scalarParameter, windowsPerCell } from './kinds-harness.js';

const RUNS = 40;
const cases = () => poolCases({ maxSize: 7, maxChannels: 5, maxKernel: 4 });
const { formulaRelative } = KIND_GPU_BOUNDS;

/** The test's values reach ±4 (plain), −11 (negative). */
const LARGEST = 11;

/** β in [0, 1]: one value or one per output cell (seed decides), 0 and 1 among them. */
function betaOf(geometry: PoolGeometry, seed: number): Tensor {
  const random = generator(seed);
  const cells = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  const beta = Tensor.allocate([seed % 3 === 0 ? cells : 1]);
  for (let index = 0; index < beta.values.length; index++) beta.values[index] = [0, 1, random()][seed % 4] ?? random();
  return beta;
}

const boundOf = (expected: ArrayLike<number>, scale: ArrayLike<number> | number) => (index: number) =>
  formulaRelative * (Math.abs(expected[index]!) + (typeof scale === 'number' ? scale : Math.abs(scale[index]!)));

test('adaPoolForward and adaPoolBackward (∂x, ∂β) within formulaRelative of the reference', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const beta = betaOf(geometry, seed);
        const [[expected], [actual]] = bothWays('adaPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.adaPoolForward(input.values, beta.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, boundOf(expected!, LARGEST), 'ada');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: beta.shape, zeroed: true },
        ];
        const [want, got] = bothWays('adaPoolBackward', outputs, (k, [g, gb]) =>
          k.adaPoolBackward(input.values, beta.values, gradOutput.values, g!.values, gb!.values, geometry),
        );
        // ∂x's shares: |g| ≤ 4 times weights ≤ 1 times (1 + |x − mean| ≤ 2·LARGEST), the DSC slopes' 1/|mean| aside;
        // ∂β's terms: |g|·|eDSCW − eM| ≤ 4·2·LARGEST per window.
        const scale = referenceScale(input.values, beta.values, gradOutput.values, geometry);
        assertWithin(
          got[0]!,
          want[0]!,
          boundOf(want[0]!, 4 * (1 + 2 * LARGEST) * windowsPerCell(geometry) + scale),
          'ada ∂x',
        );
        const windows = gradOutput.values.length;
        assertWithin(got[1]!, want[1]!, boundOf(want[1]!, 8 * LARGEST * windows), 'ada ∂β');
      }),
    RUNS,
  );
});

/** The largest |∂x| the reference gives with |g| (its DSC slopes can be large near a zero mean). */
function referenceScale(input: Float32Array, beta: Float32Array, gradOutput: Float32Array, geometry: PoolGeometry) {
  const gradInput = new Float32Array(input.length);
  const gradBeta = new Float32Array(beta.length);
  const magnitudes = Float32Array.from(gradOutput, Math.abs);
  referencePoolKernels.adaPoolBackward(input, beta, magnitudes, gradInput, gradBeta, geometry);
  return gradInput.reduce(
    (largest, value) => (Number.isFinite(value) ? Math.max(largest, Math.abs(value)) : largest),
    0,
  );
}

/** The largest finite |value| of `values`. */
const largest = (values: ArrayLike<number>): number =>
  Array.from(values).reduce((most, value) => (Number.isFinite(value) ? Math.max(most, Math.abs(value)) : most), 0);

test('dppPoolForward and dppPoolBackward (∂x, ∂α, ∂λ) within formulaRelative of the reference', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const alpha = scalarParameter(geometry, seed, [0, 1, 0.5, 2]);
        const lambda = scalarParameter(geometry, seed + 1, [0, 1, 2, 0.5, -1, 3]);
        const asymmetric = seed % 2 === 0;
        const [[expected], [actual]] = bothWays('dppPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.dppPoolForward(input.values, alpha.values, lambda.values, y!.values, geometry, asymmetric),
        );
        assertWithin(actual!, expected!, boundOf(expected!, LARGEST), 'dpp');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: alpha.shape, zeroed: true },
          { shape: lambda.shape, zeroed: true },
        ];
        const call = (gradient: Float32Array, [g, ga, gl]: Float32Array[]) =>
          referencePoolKernels.dppPoolBackward(
            input.values,
            alpha.values,
            lambda.values,
            gradient,
            g!,
            ga!,
            gl!,
            geometry,
            asymmetric,
          );
        const [want, got] = bothWays('dppPoolBackward', outputs, (k, [g, ga, gl]) =>
          k.dppPoolBackward(
            input.values,
            alpha.values,
            lambda.values,
            gradOutput.values,
            g!.values,
            ga!.values,
            gl!.values,
            geometry,
            asymmetric,
          ),
        );
        // Scales: the reference's gradients with |g| (their terms' signs aside), and shares ≤ |g| ≤ 4 per window.
        const magnitudes = [input, alpha, lambda].map((tensor) => new Float32Array(tensor.values.length));
        call(Float32Array.from(gradOutput.values, Math.abs), magnitudes);
        const windows = windowsPerCell(geometry);
        const outputsCount = gradOutput.values.length;
        assertWithin(got[0]!, want[0]!, boundOf(want[0]!, 4 * windows + 8 * largest(magnitudes[0]!)), 'dpp ∂x');
        const parameterScale = (index: number) => 8 * LARGEST * outputsCount + 8 * largest(magnitudes[index]!);
        assertWithin(got[1]!, want[1]!, boundOf(want[1]!, parameterScale(1)), 'dpp ∂α');
        assertWithin(got[2]!, want[2]!, boundOf(want[2]!, parameterScale(2)), 'dpp ∂λ');
      }),
    RUNS,
  );
});
