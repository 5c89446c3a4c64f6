// The selection kinds' GPU kernels (min, median, random, stochastic, mixed, gated, ordinal, and the
// in-bounds average of random pooling's inference) against their reference kernels on random shapes
// and options (ranks 1-3, both layouts, padding, dilation, ceil mode, ties, NaN, ±Infinity, ±0):
// selections bit for bit, sums within KIND_GPU_BOUNDS (the reference sums in float64).
import { test } from 'node:test';
import * as stochastic from '../../src/kernels/reference/extra/stochastic-pool.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertSame, check, filled, poolCases } from '../wasm/harness.js';
import { assertWithin, skip } from './harness.js';
import { bothWays, draws, scalarParameter, tapWeights, windowsPerCell } from './kinds-harness.js';

const RUNS = 30;
const cases = () => poolCases({ maxSize: 7, maxChannels: 5, maxKernel: 4 });
const volume = (g: { kernelDepth: number; kernelHeight: number; kernelWidth: number }) =>
  g.kernelDepth * g.kernelHeight * g.kernelWidth;
/** An absolute bound of `terms` float32 roundings of magnitude up to `scale`. */
const sumBound = (terms: number, scale: number) => () => (terms + KIND_GPU_BOUNDS.extraUlps) * 2 ** -23 * scale;
/** The test values' largest magnitude (filled: plain ±4, negative down to −11). */
const LARGEST = 11;

test('minPoolForward and medianPoolForward match the reference bit for bit, indices too', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const outputs = [{ shape: geometry.outputShape }, { shape: geometry.outputShape, dtype: 'int32' as const }];
        for (const name of ['minPoolForward', 'medianPoolForward'] as const) {
          const [expected, actual] = bothWays(name, outputs, (kernels, [output, indices]) =>
            kernels[name](input.values, output!.values, indices!.intValues, geometry),
          );
          assertSame(actual[0]!, expected[0]!, name);
          assertSame(actual[1]!, expected[1]!, `${name} indices`);
        }
      }),
    RUNS,
  );
});

test(
  'randomPoolForward picks the reference cell from the same draws; stochastic backward bit for bit',
  { skip },
  () => {
    check(
      cases(),
      ({ geometry, values, seed }) =>
        tidy(() => {
          const input = filled(geometry.inputShape, values, seed);
          const uniforms = draws(seed);
          const outputs = [{ shape: geometry.outputShape }, { shape: geometry.outputShape, dtype: 'int32' as const }];
          const [expected, actual] = bothWays('randomPoolForward', outputs, (kernels, [output, chosen]) =>
            kernels.randomPoolForward(input.values, output!.values, chosen!.intValues, uniforms, geometry),
          );
          assertSame(actual[0]!, expected[0]!, 'random');
          assertSame(actual[1]!, expected[1]!, 'random chosen');
          const chosen = new Int32Array(expected[0]!.length);
          stochastic.stochasticPoolForward(input.values, new Float32Array(chosen.length), chosen, uniforms, geometry);
          const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
          const [[want], [got]] = bothWays(
            'stochasticPoolBackward',
            [{ shape: geometry.inputShape, zeroed: true }],
            (k, [g]) => k.stochasticPoolBackward(input.values, chosen, gradOutput.values, g!.values, geometry),
          );
          assertSame(got!, want!, 'stochastic backward');
        }),
      RUNS,
    );
  },
);

test('inBoundsAverageForward/Backward within (cells + 4) ulp of the magnitudes summed', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const [[expected], [actual]] = bothWays('inBoundsAverageForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.inBoundsAverageForward(input.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, sumBound(volume(geometry), LARGEST), 'in-bounds average');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const [[want], [got]] = bothWays(
          'inBoundsAverageBackward',
          [{ shape: geometry.inputShape, zeroed: true }],
          (k, [g]) => k.inBoundsAverageBackward(gradOutput.values, g!.values, geometry),
        );
        assertWithin(got!, want!, sumBound(volume(geometry), volume(geometry) * 4), 'in-bounds average backward');
      }),
    RUNS,
  );
});

test('stochasticPoolInference and its backward within the bound of their float32 sums', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const [[expected], [actual]] = bothWays(
          'stochasticPoolInference',
          [{ shape: geometry.outputShape }],
          (k, [y]) => k.stochasticPoolInference(input.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, sumBound(2 * volume(geometry), LARGEST), 'stochastic inference');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const outputs = [{ shape: geometry.inputShape, zeroed: true }];
        const [[want], [got]] = bothWays('stochasticPoolInferenceBackward', outputs, (k, [g]) =>
          k.stochasticPoolInferenceBackward(input.values, gradOutput.values, g!.values, geometry),
        );
        // Each share g·(2a·S − Q)/S² is at most 3|g| (a ≤ S, Q ≤ S·max a), |g| ≤ 4 here.
        const bound = (index: number) =>
          KIND_GPU_BOUNDS.quotientRelative * (Math.abs(want![index]!) + 12 * windowsPerCell(geometry));
        assertWithin(got!, want!, bound, 'stochastic inference backward');
      }),
    RUNS,
  );
});

test('mixedPoolForward/Backward (∂x and ∂alpha) within the bound of their float32 sums', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const alpha = scalarParameter(geometry, seed, [0, 0.25, 0.5, 1, 0.9]);
        const [[expected], [actual]] = bothWays('mixedPoolForward', [{ shape: geometry.outputShape }], (k, [y]) =>
          k.mixedPoolForward(input.values, alpha.values, y!.values, geometry),
        );
        assertWithin(actual!, expected!, sumBound(volume(geometry), 2 * LARGEST), 'mixed');
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const outputs = [
          { shape: geometry.inputShape, zeroed: true },
          { shape: alpha.shape, zeroed: true },
        ];
        const [want, got] = bothWays('mixedPoolBackward', outputs, (k, [g, ga]) =>
          k.mixedPoolBackward(input.values, alpha.values, gradOutput.values, g!.values, ga!.values, geometry),
        );
        assertWithin(got[0]!, want[0]!, sumBound(2 * volume(geometry), 8 * volume(geometry)), 'mixed ∂x');
        const windows = expected!.length;
        assertWithin(got[1]!, want[1]!, sumBound(windows + volume(geometry), 8 * LARGEST * windows), 'mixed ∂alpha');
      }),
    RUNS,
  );
});

test('gatedPoolForward and ordinalPoolForward within the bound of their float32 sums', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const weights = tapWeights(geometry, seed);
        for (const name of ['gatedPoolForward', 'ordinalPoolForward'] as const) {
          const [[expected], [actual]] = bothWays(name, [{ shape: geometry.outputShape }], (k, [y]) =>
            k[name](input.values, weights.values, y!.values, geometry),
          );
          const bound = sumBound(2 * volume(geometry) + KIND_GPU_BOUNDS.expUlps, 2 * LARGEST * volume(geometry));
          assertWithin(actual!, expected!, bound, name);
        }
      }),
    RUNS,
  );
});

test(
  'gatedPoolBackward and ordinalPoolBackward (∂x, ∂weights) within the bound of their float32 sums',
  { skip },
  () => {
    check(
      cases(),
      ({ geometry, values, seed }) =>
        tidy(() => {
          const input = filled(geometry.inputShape, values, seed);
          const weights = tapWeights(geometry, seed);
          const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
          const windows = windowsPerCell(geometry);
          const outputCount = gradOutput.values.length;
          // Terms per window: gated's share, gradGate·w and s·g (|g| ≤ 4, |max − mean| ≤ 2·LARGEST, s(1 − s) ≤ 1/4);
          // ordinal's g·w_r. The weights add g·x-sized terms (gradGate·x for gated) once per window.
          const scales = {
            gatedPoolBackward: [(2 + LARGEST) * 4 * windows, 2 * LARGEST * LARGEST * outputCount],
            ordinalPoolBackward: [4 * windows, 4 * LARGEST * outputCount],
          };
          for (const name of ['gatedPoolBackward', 'ordinalPoolBackward'] as const) {
            const outputs = [
              { shape: geometry.inputShape, zeroed: true },
              { shape: weights.shape, zeroed: true },
            ];
            const [want, got] = bothWays(name, outputs, (k, [g, gw]) =>
              k[name](input.values, weights.values, gradOutput.values, g!.values, gw!.values, geometry),
            );
            const [inputScale, weightScale] = scales[name];
            const extra = name === 'gatedPoolBackward' ? KIND_GPU_BOUNDS.expUlps : 0;
            assertWithin(got[0]!, want[0]!, sumBound(2 * windows + extra, inputScale!), `${name} ∂x`);
            assertWithin(got[1]!, want[1]!, sumBound(outputCount + extra, weightScale!), `${name} ∂weights`);
          }
        }),
      RUNS,
    );
  },
);
