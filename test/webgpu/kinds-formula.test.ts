// The formula kinds' GPU kernels (SoftPool, GeM, LSE; forward, ∂x and ∂parameter) against their
// float64 reference kernels on random shapes and options (ranks 1-3, both layouts, padding, dilation,
// ceil mode, ties, NaN, ±Infinity, ±0), within KIND_GPU_BOUNDS: float32 with WGSL's exp, log and pow.
import { test } from 'node:test';
import type { PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { check, filled, poolCases, type ValueKind } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays, scalarParameter, windowsPerCell } from './kinds-harness.js';

const RUNS = 40;
const cases = () => poolCases({ maxSize: 7, maxChannels: 5, maxKernel: 4 });
const { formulaRelative } = KIND_GPU_BOUNDS;

/** |gpu − reference| ≤ formulaRelative·(|reference| + scale): `scale` the size of what was summed. */
const near = (expected: ArrayLike<number>, scale: number) => (index: number) =>
  formulaRelative * (Math.abs(expected[index]!) + scale);

/** Gradients with values of `kind`'s magnitude: plain values (special ones would make every share NaN). */
const gradientOf = (geometry: PoolGeometry, seed: number): Tensor => filled(geometry.outputShape, 'plain', seed + 1);

/** The input values where a kind's exponentials are meaningful (the test's plain values reach ±4, negative ones −11). */
const LARGEST = 11;

test('softPoolForward and softPoolBackward within formulaRelative of the reference', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const [[expected], [actual]] = bothWays('softPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.softPoolForward(input.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, near(expected!, LARGEST), 'soft');
        const gradOutput = gradientOf(geometry, seed);
        const [[want], [got]] = bothWays('softPoolBackward', [{ shape: geometry.inputShape, zeroed: true }], (k, [g]) =>
          k.softPoolBackward(input.values, gradOutput.values, g!.values, geometry),
        );
        assertWithin(got!, want!, near(want!, 4 * (1 + 2 * LARGEST) * windowsPerCell(geometry)), 'soft ∂x');
      }),
    RUNS,
  );
});

/** The forward and both gradients of a kind with one scalar parameter per layer or channel. */
function checkScalarKind(
  kind: 'gem' | 'lse',
  choices: readonly number[],
  valueKinds: (values: ValueKind) => ValueKind,
  scales: { forward: number; input: number; parameter: number },
): void {
  const forward = `${kind}PoolForward` as const;
  const backward = `${kind}PoolBackward` as const;
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, valueKinds(values), seed);
        const parameter = scalarParameter(geometry, seed, choices);
        const [[expected], [actual]] = bothWays(forward, [{ shape: geometry.outputShape }], (k, [y]) =>
          k[forward](input.values, parameter.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, near(expected!, scales.forward), kind);
        const gradOutput = gradientOf(geometry, seed);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: parameter.shape, zeroed: true },
        ];
        const [want, got] = bothWays(backward, outputs, (k, [g, gp]) =>
          k[backward](input.values, parameter.values, gradOutput.values, g!.values, gp!.values, geometry),
        );
        assertWithin(got[0]!, want[0]!, near(want[0]!, scales.input * windowsPerCell(geometry)), `${kind} ∂x`);
        const windows = expected!.length;
        assertWithin(got[1]!, want[1]!, near(want[1]!, scales.parameter * windows), `${kind} ∂parameter`);
      }),
    RUNS,
  );
}

test('gemPoolForward and gemPoolBackward (∂x, ∂p) within formulaRelative of the reference', { skip }, () => {
  // GeM pools positive activations: negative inputs clamp to ε, where (ε/s)^p is the limit case.
  checkScalarKind('gem', [1, 2, 3, 0.5, -1, 6], (values) => values, { forward: LARGEST, input: 4, parameter: 40 });
});

test('lsePoolForward and lsePoolBackward (∂x, ∂r) within formulaRelative of the reference', { skip }, () => {
  checkScalarKind('lse', [1, -1, 0.5, 4, 1e-12, 0, -3], (values) => values, {
    forward: LARGEST,
    input: 4,
    parameter: 4 * LARGEST * LARGEST,
  });
});
