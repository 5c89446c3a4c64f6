// Every wasm forward pooling kernel against the reference kernel on random shapes and options:
// both data formats, 1 to 3 spatial dimensions, odd channel counts (SIMD remainders), padding,
// dilation, ceil mode, strides past the window, ties, all-negative inputs, NaN and infinities.
import { test } from 'node:test';
import fc from 'fast-check';
import { setThreadCount, threadsReady } from '../../src/index.js';
import { tidy } from '../../src/tensor/scope.js';
import type { PoolKernels } from '../../src/kernels/types.js';
import {
  adaptiveCases,
  assertSame,
  denseCases,
  onEachThreadCount,
  check,
  filled,
  poisoned,
  poolCases,
  reference,
  wasm,
  type PoolCase,
  type ValueKind,
} from './harness.js';

const RUNS = 300;

test('maxPoolForward (with and without argmax) matches the reference exactly', () => {
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const expected = poisoned(geometry.outputShape);
        const expectedIndices = poisoned(geometry.outputShape, 'int32');
        reference.maxPoolForward(input.values, expected.values, expectedIndices.intValues, geometry);
        const actual = poisoned(geometry.outputShape);
        const indices = poisoned(geometry.outputShape, 'int32');
        wasm().maxPoolForward(input.values, actual.values, indices.intValues, geometry);
        assertSame(actual.values, expected.values, 'max');
        assertSame(indices.intValues, expectedIndices.intValues, 'argmax');
        const plain = poisoned(geometry.outputShape);
        wasm().maxPoolForward(input.values, plain.values, null, geometry);
        assertSame(plain.values, expected.values, 'max without argmax');
      }),
    RUNS,
  );
});

test('avgPoolForward matches the reference exactly for every divisor rule', () => {
  const divisors = [
    { countIncludePad: false, divisorOverride: null },
    { countIncludePad: true, divisorOverride: null },
    { countIncludePad: true, divisorOverride: 3 },
    { countIncludePad: false, divisorOverride: 0.1 }, // not a float32: the float64 division path
  ];
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const divisor = divisors[seed % divisors.length]!;
        const expected = poisoned(geometry.outputShape);
        reference.avgPoolForward(input.values, expected.values, geometry, divisor);
        const actual = poisoned(geometry.outputShape);
        wasm().avgPoolForward(input.values, actual.values, geometry, divisor);
        assertSame(actual.values, expected.values, 'avg');
      }),
    RUNS,
  );
});

test('lpPoolForward matches the reference (exactly for p = 1 and 2)', () => {
  const powers = [1, 2, 2, 3, 1.5];
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const p = powers[seed % powers.length]!;
        const input = filled(geometry.inputShape, values === 'special' ? 'plain' : values, seed);
        const expected = poisoned(geometry.outputShape);
        reference.lpPoolForward(input.values, expected.values, geometry, p);
        const actual = poisoned(geometry.outputShape);
        wasm().lpPoolForward(input.values, actual.values, geometry, p);
        if (p === 1 || p === 2) assertSame(actual.values, expected.values, `lp p=${p}`);
        else assertNear(actual.values, expected.values, `lp p=${p}`);
      }),
    RUNS,
  );
});

test('lpPoolForward propagates NaN and infinities as the reference does', () => {
  check(
    poolCases({ maxSize: 6 }),
    ({ geometry, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, 'special', seed);
        for (const p of [1, 2]) {
          const expected = poisoned(geometry.outputShape);
          reference.lpPoolForward(input.values, expected.values, geometry, p);
          const actual = poisoned(geometry.outputShape);
          wasm().lpPoolForward(input.values, actual.values, geometry, p);
          assertSame(actual.values, expected.values, `lp special p=${p}`);
        }
      }),
    100,
  );
});

test('adaptive max and average forward match the reference exactly', () => {
  check(
    adaptiveCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const expected = poisoned(geometry.outputShape);
        const expectedIndices = poisoned(geometry.outputShape, 'int32');
        reference.adaptiveMaxPoolForward(input.values, expected.values, expectedIndices.intValues, geometry);
        const actual = poisoned(geometry.outputShape);
        const indices = poisoned(geometry.outputShape, 'int32');
        wasm().adaptiveMaxPoolForward(input.values, actual.values, indices.intValues, geometry);
        assertSame(actual.values, expected.values, 'adaptive max');
        assertSame(indices.intValues, expectedIndices.intValues, 'adaptive argmax');
        reference.adaptiveAvgPoolForward(input.values, expected.values, geometry);
        wasm().adaptiveAvgPoolForward(input.values, actual.values, geometry);
        assertSame(actual.values, expected.values, 'adaptive avg');
      }),
    RUNS,
  );
});

type ArgmaxForward = (kernels: PoolKernels, input: Float32Array, output: Float32Array, indices: Int32Array) => void;

/** A max-type forward with argmax (`run` on a kernel table) on wasm against the reference: the same values and indices. */
function compareArgmaxForward(
  shapes: Pick<PoolCase['geometry'], 'inputShape' | 'outputShape'>,
  values: ValueKind,
  seed: number,
  run: ArgmaxForward,
): void {
  const input = filled(shapes.inputShape, values, seed);
  const [expected, actual] = [poisoned(shapes.outputShape), poisoned(shapes.outputShape)];
  const [expectedIndices, indices] = [poisoned(shapes.outputShape, 'int32'), poisoned(shapes.outputShape, 'int32')];
  run(reference, input.values, expected.values, expectedIndices.intValues);
  run(wasm(), input.values, actual.values, indices.intValues);
  assertSame(actual.values, expected.values, 'max');
  assertSame(indices.intValues, expectedIndices.intValues, 'argmax');
}

test('adaptive max and max pooling with argmax on 16 to 40 channels (sixteen-channel window walks) match the reference exactly, on 1 to 3 threads', async () => {
  for (const threads of [1, 2, 3]) {
    await setThreadCount(threads);
    await threadsReady();
    check(
      fc.tuple(adaptiveCases(40), poolCases({ maxChannels: 40 })),
      ([adaptive, pool]) =>
        tidy(() => {
          const { geometry } = adaptive;
          compareArgmaxForward(geometry, adaptive.values, adaptive.seed, (kernels, x, y, chosen) =>
            kernels.adaptiveMaxPoolForward(x, y, chosen, geometry),
          );
          compareArgmaxForward(pool.geometry, pool.values, pool.seed, (kernels, x, y, chosen) =>
            kernels.maxPoolForward(x, y, chosen, pool.geometry),
          );
        }),
      RUNS / 3,
    );
  }
  await setThreadCount(1);
});

test('dense max pooling with argmax (2x2 at stride 1: MaxBlurPool, S3Pool) matches the reference exactly, on 1 to 3 threads', async () => {
  await onEachThreadCount(() =>
    check(
      denseCases(),
      ({ geometry, values, seed }) =>
        tidy(() =>
          compareArgmaxForward(geometry, values, seed, (kernels, x, y, chosen) =>
            kernels.maxPoolForward(x, y, chosen, geometry),
          ),
        ),
      RUNS / 2,
    ),
  );
});

/** Lp with p other than 1 and 2 goes through pow, whose last bit may differ between engines. */
function assertNear(actual: Float32Array, expected: Float32Array, label: string): void {
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    const close = Object.is(got, want) || Math.abs(got - want) <= 4e-7 * Math.abs(want) + 1e-30;
    if (!close) throw new Error(`${label}[${index}]: wasm ${got} != reference ${want}`);
  }
}
