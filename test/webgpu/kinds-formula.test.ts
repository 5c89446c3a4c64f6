// The formula kinds' GPU kernels (SoftPool, GeM, LSE; forward, ∂x and ∂parameter) against their
// float64 reference kernels on random shapes and options (ranks 1-3, both layouts, padding, dilation,
// ceil mode, ties, NaN, ±Infinity, ±0), within KIND_GPU_BOUNDS: float32 with WGSL's exp, log and pow.
import { test } from 'node:test';
import type { PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { referencePoolKernels } from '../../src/kernels/reference/pool-kernels.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { check, filled, poolCases } from '../wasm/harness.js';
import { channelOfOutput, walkCollectedWindows } from '../../src/kernels/reference/extra/collect.js';
import { GEM_EPSILON } from '../../src/kernels/reference/extra/gem-pool.js';
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

/** What a scalar kind's gradient bounds scale with: per element of ∂x and of ∂parameter (or one number for all). */
type Scales = [input: ArrayLike<number> | number, parameter: ArrayLike<number> | number];

interface ScaleCall {
  readonly geometry: PoolGeometry;
  readonly input: Float32Array;
  readonly parameter: Float32Array;
  readonly gradOutput: Float32Array;
  /** The reference forward's output. */
  readonly output: Float32Array;
}

const boundOf = (expected: ArrayLike<number>, scale: ArrayLike<number> | number) => (index: number) =>
  formulaRelative * (Math.abs(expected[index]!) + (typeof scale === 'number' ? scale : Math.abs(scale[index]!)));

/** The forward and both gradients of a kind with one scalar parameter per layer or channel. */
function checkScalarKind(kind: 'gem' | 'lse', choices: readonly number[], scalesOf: (call: ScaleCall) => Scales): void {
  const forward = `${kind}PoolForward` as const;
  const backward = `${kind}PoolBackward` as const;
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const parameter = scalarParameter(geometry, seed, choices);
        const [[expected], [actual]] = bothWays(forward, [{ shape: geometry.outputShape }], (k, [y]) =>
          k[forward](input.values, parameter.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, boundOf(expected!, LARGEST), kind);
        const gradOutput = gradientOf(geometry, seed);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: parameter.shape, zeroed: true },
        ];
        const [want, got] = bothWays(backward, outputs, (k, [g, gp]) =>
          k[backward](input.values, parameter.values, gradOutput.values, g!.values, gp!.values, geometry),
        );
        const call = { geometry, input: input.values, parameter: parameter.values, gradOutput: gradOutput.values };
        const [inputScale, parameterScale] = scalesOf({ ...call, output: expected as Float32Array });
        assertWithin(got[0]!, want[0]!, boundOf(want[0]!, inputScale), `${kind} ∂x`);
        assertWithin(got[1]!, want[1]!, boundOf(want[1]!, parameterScale), `${kind} ∂parameter`);
      }),
    RUNS,
  );
}

/**
 * GeM's scales: ∂x's shares (g/n)·tᵢ^(p−1) have g's sign, so the reference ∂x of |g| is their
 * magnitude; ∂p's terms tᵢ^p·ln tᵢ have both signs (tᵢ = cᵢ/y lies on both sides of 1), so their
 * magnitudes are summed here: Σ over windows of |g/n · y/p| · Σ|tᵢ^p·ln tᵢ|.
 */
function gemScales({ geometry, input, parameter, gradOutput, output }: ScaleCall): Scales {
  const inputScale = new Float32Array(input.length);
  const gradParameter = new Float32Array(parameter.length);
  referencePoolKernels.gemPoolBackward(
    input,
    parameter,
    Float32Array.from(gradOutput, Math.abs),
    inputScale,
    gradParameter,
    geometry,
  );
  const parameterScale = new Float64Array(parameter.length);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const slot = parameter.length === 1 ? 0 : channelOfOutput(geometry, outputIndex);
    const [power, y] = [parameter[slot]!, output[outputIndex]!];
    if (window.count === 0 || !Number.isFinite(y)) return;
    let terms = 0;
    for (let position = 0; position < window.count; position++) {
      const ratio = Math.max(input[window.inputIndices[position]!]!, GEM_EPSILON) / y;
      const powered = Math.pow(ratio, power);
      if (powered > 0) terms += Math.abs(powered * Math.log(ratio)); // as the reference: 0 (t = ∞, p < 0) adds nothing
    }
    parameterScale[slot]! += Math.abs(((gradOutput[outputIndex]! / window.count) * y) / power) * terms;
  });
  return [inputScale, parameterScale];
}

test('gemPoolForward and gemPoolBackward (∂x, ∂p) within formulaRelative of the reference', { skip }, () => {
  checkScalarKind('gem', [1, 2, 3, 0.5, -1, 6], gemScales);
});

test('lsePoolForward and lsePoolBackward (∂x, ∂r) within formulaRelative of the reference', { skip }, () => {
  // ∂x's shares are g·sᵢ (|g| ≤ 4, sᵢ ≤ 1); ∂r's terms are at most |g|·(x − m)² per window.
  checkScalarKind('lse', [1, -1, 0.5, 4, 1e-12, 0, -3], ({ geometry, output }) => [
    4 * windowsPerCell(geometry),
    4 * (2 * LARGEST) ** 2 * output.length,
  ]);
});

test('lipPoolForward and lipPoolBackward (∂x, ∂logits) within formulaRelative of the reference', { skip }, () => {
  check(
    cases(),
    ({ geometry: window, values, seed }) =>
      tidy(() => {
        const geometry = { ...window, coefficient: [12, 1, 0.5][seed % 3]! };
        const input = filled(geometry.inputShape, values, seed);
        const logits = filled(geometry.inputShape, seed % 4 === 0 ? 'special' : 'plain', seed + 2);
        const [[expected], [actual]] = bothWays('lipPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.lipPoolForward(input.values, logits.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, near(expected!, LARGEST), 'lip');
        const gradOutput = gradientOf(geometry, seed);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: geometry.inputShape, zeroed: true },
        ];
        const [want, got] = bothWays('lipPoolBackward', outputs, (k, [g, gz]) =>
          k.lipPoolBackward(input.values, logits.values, gradOutput.values, g!.values, gz!.values, geometry),
        );
        // Shares are at most |g| ≤ 4 per window; ∂z's add (x − y)·λσ(1 − σ) ≤ 2·LARGEST·λ/4 to each.
        const windows = windowsPerCell(geometry);
        assertWithin(got[0]!, want[0]!, near(want[0]!, 4 * windows), 'lip ∂x');
        assertWithin(got[1]!, want[1]!, near(want[1]!, 2 * LARGEST * geometry.coefficient * windows), 'lip ∂logits');
      }),
    RUNS,
  );
});
