// Every wasm backward pooling kernel and argmax scatter/gather against the reference on random
// shapes and options. Outputs start poisoned, so an element a kernel forgets to write shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptiveGeometry } from '../../src/geometry/adaptive-geometry.js';
import type { SpatialDims } from '../../src/geometry/layout.js';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../src/geometry/pool-geometry.js';
import type { ArgmaxPlanes, AverageDivisor } from '../../src/kernels/types.js';
import { poolingPlanes } from '../../src/pooling/argmax-planes.js';
import { tidy } from '../../src/tensor/scope.js';
import {
  adaptiveCases,
  assertSame,
  check,
  denseCases,
  onEachThreadCount,
  filled,
  poisoned,
  poolCases,
  reference,
  wasm,
  type ValueKind,
} from './harness.js';

const RUNS = 250;

test('maxPoolBackward matches the reference exactly (argmax from a max pool: ties, NaN, ±Infinity)', () => {
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const output = poisoned(geometry.outputShape);
        const argmax = poisoned(geometry.outputShape, 'int32');
        reference.maxPoolForward(input.values, output.values, argmax.intValues, geometry);
        // Gradients with ±0, NaN and infinities too: -0 alone must come out +0, as 0 + -0 does.
        const gradOutput = filled(geometry.outputShape, seed % 2 === 0 ? 'special' : 'plain', seed + 1);
        const expected = poisoned(geometry.inputShape);
        reference.maxPoolBackward(gradOutput.values, argmax.intValues, expected.values, geometry);
        const actual = poisoned(geometry.inputShape);
        wasm().maxPoolBackward(gradOutput.values, argmax.intValues, actual.values, geometry);
        assertSame(actual.values, expected.values, 'max backward');
      }),
    RUNS,
  );
});

/**
 * Max backward (argmax from a max pool over `values`) and average backward under each divisor rule,
 * wasm against the reference on one geometry; gradInput poisoned before each kernel.
 */
function compareBackwardKernels(geometry: PoolGeometry, values: ValueKind, seed: number, label: string): void {
  tidy(() => {
    const input = filled(geometry.inputShape, values, seed);
    const argmax = poisoned(geometry.outputShape, 'int32');
    reference.maxPoolForward(input.values, poisoned(geometry.outputShape).values, argmax.intValues, geometry);
    const gradOutput = filled(geometry.outputShape, seed % 2 === 0 ? 'special' : 'plain', seed + 1);
    const expected = poisoned(geometry.inputShape);
    const actual = poisoned(geometry.inputShape);
    reference.maxPoolBackward(gradOutput.values, argmax.intValues, expected.values, geometry);
    wasm().maxPoolBackward(gradOutput.values, argmax.intValues, actual.values, geometry);
    assertSame(actual.values, expected.values, `max backward ${label}`);
    const rules: AverageDivisor[] = [
      { countIncludePad: false, divisorOverride: null },
      { countIncludePad: true, divisorOverride: null },
      { countIncludePad: false, divisorOverride: 3 },
    ];
    for (const rule of rules) {
      reference.avgPoolBackward(gradOutput.values, expected.values, geometry, rule);
      actual.values.fill(12345.5); // poisoned again: a cell the kernel skips must show
      wasm().avgPoolBackward(gradOutput.values, actual.values, geometry, rule);
      assertSame(actual.values, expected.values, `avg backward ${label} ${JSON.stringify(rule)}`);
    }
  });
}

test('max and average backward of dense pooling (2x2 at stride 1: up to four windows pick a cell) match the reference exactly, on 1 to 3 threads', async () => {
  await onEachThreadCount(() =>
    check(
      denseCases(),
      ({ geometry, values, seed }) =>
        compareBackwardKernels(geometry, values, seed, `dense ${geometry.inputShape.join('x')}`),
      RUNS / 2,
    ),
  );
});

test('max and average backward on windows that overlap by one column (3 wide at stride 2, 5 at 4): cells in pairs', () => {
  const options: PoolOptions[] = [
    { kernelSize: 3, stride: 2 },
    { kernelSize: 3, stride: 2, padding: 'same' },
    { kernelSize: 3, stride: 2, padding: 1, ceilMode: true },
    { kernelSize: [2, 3], stride: 2 }, // one row of windows per input row, pairs along the width
    { kernelSize: 5, stride: 4, padding: 2 },
  ];
  let seed = 900;
  for (const channels of [1, 3, 4, 5, 8, 13, 64]) {
    for (const option of options) {
      for (const values of ['plain', 'ties', 'negative', 'special'] as const) {
        const geometry = poolGeometry('test', [2, 7, 11, channels], 2, option);
        compareBackwardKernels(geometry, values, seed++, `${JSON.stringify(option)} ${channels} ${values}`);
      }
    }
  }
});

test('max and average backward of windows that tile 2x2 blocks (input rows in pairs, four cells per window)', () => {
  const options: PoolOptions[] = [
    { kernelSize: 2 },
    { kernelSize: 2, padding: 'same' },
    { kernelSize: 2, padding: 1, ceilMode: true },
    { kernelSize: 2, stride: 3 }, // rows and columns that no window holds
    { kernelSize: [2, 1], stride: [2, 1] }, // rows in pairs, one cell per window across
  ];
  let seed = 1200;
  for (const [height, width] of [
    [8, 8],
    [7, 9],
    [6, 11],
  ] as const) {
    for (const channels of [3, 4, 5, 13, 64]) {
      for (const option of options) {
        for (const values of ['plain', 'ties', 'special'] as const) {
          const geometry = poolGeometry('test', [2, height, width, channels], 2, option);
          compareBackwardKernels(geometry, values, seed++, `${height}x${width}x${channels} ${JSON.stringify(option)}`);
        }
      }
    }
  }
});

test('maxPoolBackward sums the overlapping windows that pick one cell, in output order', () => {
  tidy(() => {
    // 3x3 windows at stride 1, padding 1, over a peak at (2, 3): the 9 windows holding it pick it.
    const geometry = poolGeometry('test', [1, 5, 6, 5], 2, { kernelSize: 3, stride: 1, padding: 1 });
    const input = filled(geometry.inputShape, 'negative', 7);
    const peak = (2 * 6 + 3) * 5;
    input.values.fill(100, peak, peak + 5);
    const argmax = poisoned(geometry.outputShape, 'int32');
    wasm().maxPoolForward(input.values, poisoned(geometry.outputShape).values, argmax.intValues, geometry);
    const gradOutput = filled(geometry.outputShape, 'plain', 8);
    const actual = poisoned(geometry.inputShape);
    wasm().maxPoolBackward(gradOutput.values, argmax.intValues, actual.values, geometry);
    for (let channel = 0; channel < 5; channel++) {
      let sum = 0;
      for (let outRow = 1; outRow <= 3; outRow++) {
        for (let outColumn = 2; outColumn <= 4; outColumn++) {
          sum = Math.fround(sum + gradOutput.values[(outRow * 6 + outColumn) * 5 + channel]!);
        }
      }
      assert.equal(actual.values[peak + channel], sum, `channel ${channel}`);
    }
  });
});

test('avgPoolBackward matches the reference exactly for every divisor rule', () => {
  const divisors = [
    { countIncludePad: false, divisorOverride: null },
    { countIncludePad: true, divisorOverride: null },
    { countIncludePad: false, divisorOverride: 5 },
    { countIncludePad: true, divisorOverride: 0.1 }, // not a float32: rounded to one first
  ];
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const gradOutput = filled(geometry.outputShape, values, seed);
        const divisor = divisors[seed % divisors.length]!;
        const expected = poisoned(geometry.inputShape);
        reference.avgPoolBackward(gradOutput.values, expected.values, geometry, divisor);
        const actual = poisoned(geometry.inputShape);
        wasm().avgPoolBackward(gradOutput.values, actual.values, geometry, divisor);
        assertSame(actual.values, expected.values, 'avg backward');
      }),
    RUNS,
  );
});

test('avgPoolBackward gathers exactly past its list and cache sizes', () => {
  const divisor = { countIncludePad: true, divisorOverride: null };
  const cases: [number[], SpatialDims, PoolOptions][] = [
    [[1, 6, 7, 5], 2, { kernelSize: 3, stride: 1, padding: 1 }], // 3 rows of windows per input row
    [[1, 6, 6, 3, 5], 3, { kernelSize: [5, 5, 1], stride: 1, padding: [2, 2, 0] }], // 25 rows: more than cached
    [[2, 9, 9, 6], 2, { kernelSize: 5, stride: 2, dilation: 2, padding: 'same' }],
  ];
  tidy(() => {
    for (const [shape, spatialDims, options] of cases) {
      const geometry = poolGeometry('test', shape, spatialDims, options);
      compareAverageBackward(geometry, divisor, `${shape.join('x')}`);
    }
    // 1D adaptive 3 -> 300: each cell is held by about 100 windows, more than the list holds.
    const adaptive = adaptiveGeometry('test', [2, 3, 4], 1, 300);
    const gradOutput = filled(adaptive.outputShape, 'plain', 4);
    const expected = poisoned(adaptive.inputShape);
    reference.adaptiveAvgPoolBackward(gradOutput.values, expected.values, adaptive);
    const actual = poisoned(adaptive.inputShape);
    wasm().adaptiveAvgPoolBackward(gradOutput.values, actual.values, adaptive);
    assertSame(actual.values, expected.values, 'adaptive 3 -> 300');
  });
});

function compareAverageBackward(geometry: PoolGeometry, divisor: AverageDivisor, label: string): void {
  const gradOutput = filled(geometry.outputShape, 'special', 11);
  const expected = poisoned(geometry.inputShape);
  reference.avgPoolBackward(gradOutput.values, expected.values, geometry, divisor);
  const actual = poisoned(geometry.inputShape);
  wasm().avgPoolBackward(gradOutput.values, actual.values, geometry, divisor);
  assertSame(actual.values, expected.values, `avg backward ${label}`);
}

test('lpPoolBackward matches the reference (exactly for p = 1 and 2)', () => {
  const powers = [2, 1, 2, 3, 2.5];
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const p = powers[seed % powers.length]!;
        // Zeros make windows with out = 0, which pass no gradient; ties make exact cancellations.
        const input = filled(geometry.inputShape, values === 'special' ? 'ties' : values, seed);
        const output = poisoned(geometry.outputShape);
        reference.lpPoolForward(input.values, output.values, geometry, p);
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const expected = poisoned(geometry.inputShape);
        reference.lpPoolBackward(input.values, output.values, gradOutput.values, expected.values, geometry, p);
        const actual = poisoned(geometry.inputShape);
        wasm().lpPoolBackward(input.values, output.values, gradOutput.values, actual.values, geometry, p);
        if (p === 1 || p === 2) assertSame(actual.values, expected.values, `lp backward p=${p}`);
        else assertNear(actual.values, expected.values, `lp backward p=${p}`);
      }),
    RUNS,
  );
});

test('adaptiveAvgPoolBackward matches the reference exactly', () => {
  check(
    adaptiveCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const gradOutput = filled(geometry.outputShape, values, seed);
        const expected = poisoned(geometry.inputShape);
        reference.adaptiveAvgPoolBackward(gradOutput.values, expected.values, geometry);
        const actual = poisoned(geometry.inputShape);
        wasm().adaptiveAvgPoolBackward(gradOutput.values, actual.values, geometry);
        assertSame(actual.values, expected.values, 'adaptive avg backward');
      }),
    RUNS,
  );
});

test('argmax scatter-add, scatter and gather match the reference exactly (argmax from a max pool)', () => {
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const output = poisoned(geometry.outputShape);
        const argmax = poisoned(geometry.outputShape, 'int32');
        reference.maxPoolForward(input.values, output.values, argmax.intValues, geometry);
        const small = filled(geometry.outputShape, 'plain', seed + 1);
        compareMoves(small.values, argmax.intValues, geometry.inputShape, poolingPlanes(geometry));
      }),
    RUNS,
  );
});

test('argmax kernels skip cells whose argmax is -1 (empty windows) and gather 0 there', () => {
  tidy(() => {
    const planes: ArgmaxPlanes = { channelsLast: true, batch: 2, channels: 5, largeSpatial: 6, smallSpatial: 3 };
    const argmax = poisoned([2, 3, 5], 'int32');
    const random = filled([2, 3, 5], 'plain', 9).values;
    argmax.intValues.forEach((_, index) => (argmax.intValues[index] = random[index]! > 1 ? -1 : index % 6));
    compareMoves(filled([2, 3, 5], 'plain', 3).values, argmax.intValues, [2, 6, 5], planes);
    compareMoves(filled([2, 3, 5], 'plain', 4).values, argmax.intValues, [2, 6, 5], { ...planes, channelsLast: false });
  });
});

function compareMoves(
  small: Float32Array,
  argmax: Int32Array,
  largeShape: readonly number[],
  planes: ArgmaxPlanes,
): void {
  for (const name of ['argmaxScatterAdd', 'argmaxScatter'] as const) {
    const expected = poisoned(largeShape);
    expected.values.fill(0);
    reference[name](small, argmax, expected.values, planes);
    const actual = poisoned(largeShape);
    actual.values.fill(0);
    wasm()[name](small, argmax, actual.values, planes);
    assertSame(actual.values, expected.values, name);
  }
  const large = filled(largeShape, 'special', 5);
  const expected = poisoned([small.length]);
  reference.argmaxGather(large.values, argmax, expected.values, planes);
  const actual = poisoned([small.length]);
  wasm().argmaxGather(large.values, argmax, actual.values, planes);
  assertSame(actual.values, expected.values, 'argmaxGather');
}

function assertNear(actual: Float32Array, expected: Float32Array, label: string): void {
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    const close = Object.is(got, want) || Math.abs(got - want) <= 1e-6 * Math.abs(want) + 1e-30;
    if (!close) throw new Error(`${label}[${index}]: wasm ${got} != reference ${want}`);
  }
}
