// AdaPool's and detail-preserving pooling's WebAssembly kernels (assembly/kinds/weighted/ada-pool.ts,
// dpp.ts) against their reference kernels, within each kind's stated tolerance: forward, gradInput
// and the parameters' gradients (β; α and λ), on random shapes and options with ties, NaN,
// ±Infinity, all-negative windows, odd channel counts (SIMD remainders), both data formats, ranks
// 1-3, overlapping windows (the statistics-then-gather path) and not (the fused path, computed anew
// or from what the forward kept), 1 to 3 threads.
import { after, test } from 'node:test';
import type { PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { adaPoolBackward, adaPoolForward } from '../../src/kernels/reference/extra/ada-pool.js';
import { dppPoolBackward, dppPoolForward } from '../../src/kernels/reference/extra/dpp-pool.js';
import { setThreadCount } from '../../src/kernels/wasm/index.js';
import { setParallelThreshold } from '../../src/kernels/wasm/threads.js';
import { adaKind } from '../../src/pooling/kinds/ada-pool.js';
import { detailPreservingKind } from '../../src/pooling/kinds/detail-preserving.js';
import { KEPT_PLANES } from '../../src/pooling/kinds/forward-keep.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { check, filled, generator, poisoned, poolCases, type ValueKind } from './harness.js';
import { assertClose, fast, filledWith, gradPTolerance, parameter, room, withThreads } from './weighted-helpers.js';

const RUNS = 150;

after(async () => {
  setParallelThreshold();
  await setThreadCount(1);
});

/** AdaPool's β: one value (every third case) or one per output cell, inside [0, 1] and beyond it. */
function blendWeights(geometry: PoolGeometry, seed: number): Tensor {
  const random = generator(seed + 3);
  const cells = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  const beta = Tensor.allocate([seed % 3 === 0 ? 1 : cells]);
  const choices = [0.5, 0, 1, 0.25, -0.3, 1.7];
  for (let index = 0; index < beta.values.length; index++)
    beta.values[index] = choices[Math.floor(random() * choices.length)]!;
  return beta;
}

/** Compares forward and backward (gradInput and gradBeta) of AdaPool's kernels on one random case. */
function compareAda(geometry: PoolGeometry, values: ValueKind, seed: number, label: string): void {
  const tolerance = adaKind.tolerance!;
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const beta = blendWeights(geometry, seed);
    const named = `${label}, β ${beta.values.length === 1 ? beta.values[0] : 'per cell'}`;
    const expected = poisoned(geometry.outputShape);
    adaPoolForward(input.values, beta.values, expected.values, geometry);
    const actual = poisoned(geometry.outputShape);
    const kept = room(geometry, KEPT_PLANES.adaPool);
    fast().adaPoolForward!(input.values, beta.values, actual.values, geometry, kept);
    assertClose(actual.values, expected.values, tolerance, `${named} forward`);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const expectedGrad = filledWith(geometry.inputShape, 0);
    const expectedGradBeta = filledWith(beta.shape, 0.25); // the kernels add to it
    adaPoolBackward(
      input.values,
      beta.values,
      gradOutput.values,
      expectedGrad.values,
      expectedGradBeta.values,
      geometry,
    );
    for (const [from, room] of [
      ['anew', undefined],
      ['kept', kept],
    ] as const) {
      const actualGrad = filledWith(geometry.inputShape, 0);
      const actualGradBeta = filledWith(beta.shape, 0.25);
      const actualGrads = [gradOutput.values, actualGrad.values, actualGradBeta.values] as const;
      fast().adaPoolBackward!(input.values, beta.values, ...actualGrads, geometry, room);
      assertClose(actualGrad.values, expectedGrad.values, tolerance, `${named} gradInput ${from}`);
      const betaTolerance = gradPTolerance(geometry);
      assertClose(actualGradBeta.values, expectedGradBeta.values, betaTolerance, `${named} gradBeta ${from}`);
    }
  });
}

test('AdaPool forward and backward match the reference within its tolerance, 1 to 3 threads', async () => {
  await withThreads((threads) =>
    check(
      poolCases(),
      ({ geometry, values, seed }) => compareAda(geometry, values, seed, `ada, ${threads} threads`),
      RUNS,
    ),
  );
});

/** DPP's α (non-negative: every weight positive) and λ (0, negative, fractional and large). */
const alphas = [1, 0, 0.5, 2, 0.01];
const lambdas = [1, 0, 2, 0.5, 3, -1, 1.5];

/** Compares forward and backward (gradInput, gradAlpha, gradLambda) of DPP's kernels on one random case. */
function compareDpp(geometry: PoolGeometry, values: ValueKind, seed: number, label: string): void {
  const tolerance = detailPreservingKind.tolerance!;
  const asymmetric = seed % 2 === 0;
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const alpha = parameter(geometry, seed, alphas);
    const lambda = parameter(geometry, seed + 7, lambdas);
    const named = `${label}, ${asymmetric ? 'asymmetric' : 'symmetric'}, α ${alpha.values.join(' ')}, λ ${lambda.values.join(' ')}`;
    const expected = poisoned(geometry.outputShape);
    dppPoolForward(input.values, alpha.values, lambda.values, expected.values, geometry, asymmetric);
    const actual = poisoned(geometry.outputShape);
    const kept = room(geometry, KEPT_PLANES.dpp);
    fast().dppPoolForward!(input.values, alpha.values, lambda.values, actual.values, geometry, asymmetric, kept);
    assertClose(actual.values, expected.values, tolerance, `${named} forward`);
    const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
    const parameters = [input.values, alpha.values, lambda.values, gradOutput.values] as const;
    // gradInput zeroed (the kernels' contract); α's and λ's gradients not (the kernels add to them).
    const gradients = () =>
      [filledWith(geometry.inputShape, 0), filledWith(alpha.shape, 0.25), filledWith(lambda.shape, -0.5)].map(
        (gradient) => gradient.values,
      ) as [Float32Array, Float32Array, Float32Array];
    const expectedGrads = gradients();
    dppPoolBackward(...parameters, ...expectedGrads, geometry, asymmetric);
    for (const [from, room] of [
      ['anew', undefined],
      ['kept', kept],
    ] as const) {
      const actualGrads = gradients();
      fast().dppPoolBackward!(...parameters, ...actualGrads, geometry, asymmetric, room);
      assertClose(actualGrads[0], expectedGrads[0], tolerance, `${named} gradInput ${from}`);
      assertClose(actualGrads[1], expectedGrads[1], gradPTolerance(geometry), `${named} gradAlpha ${from}`);
      assertClose(actualGrads[2], expectedGrads[2], gradPTolerance(geometry), `${named} gradLambda ${from}`);
    }
  });
}

test('DPP forward and backward match the reference within its tolerance, 1 to 3 threads', async () => {
  await withThreads((threads) =>
    check(
      poolCases(),
      ({ geometry, values, seed }) => compareDpp(geometry, values, seed, `dpp, ${threads} threads`),
      RUNS,
    ),
  );
});
