// Every wasm backward pooling kernel and argmax scatter/gather against the reference on random
// shapes and options. Outputs start poisoned, so an element a kernel forgets to write shows.
import { test } from 'node:test';
import type { ArgmaxPlanes } from '../../src/kernels/types.js';
import { poolingPlanes } from '../../src/ops/pool/argmax-planes.js';
import { tidy } from '../../src/tensor/scope.js';
import { adaptiveCases, assertSame, check, filled, poisoned, poolCases, reference, wasm } from './harness.js';

const RUNS = 250;

test('avgPoolBackward matches the reference exactly for every divisor rule', () => {
  const divisors = [
    { countIncludePad: false, divisorOverride: null },
    { countIncludePad: true, divisorOverride: null },
    { countIncludePad: false, divisorOverride: 5 },
    { countIncludePad: true, divisorOverride: 0.1 }, // not a float32: the float64 division path
  ];
  check(
    poolCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const gradOutput = filled(geometry.outputShape, values, seed);
        const divisor = divisors[seed % divisors.length]!;
        const expected = poisoned(geometry.inputShape);
        reference.avgPoolBackward(gradOutput.data, expected.data, geometry, divisor);
        const actual = poisoned(geometry.inputShape);
        wasm().avgPoolBackward(gradOutput.data, actual.data, geometry, divisor);
        assertSame(actual.data, expected.data, 'avg backward');
      }),
    RUNS,
  );
});

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
        reference.lpPoolForward(input.data, output.data, geometry, p);
        const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
        const expected = poisoned(geometry.inputShape);
        reference.lpPoolBackward(input.data, output.data, gradOutput.data, expected.data, geometry, p);
        const actual = poisoned(geometry.inputShape);
        wasm().lpPoolBackward(input.data, output.data, gradOutput.data, actual.data, geometry, p);
        if (p === 1 || p === 2) assertSame(actual.data, expected.data, `lp backward p=${p}`);
        else assertNear(actual.data, expected.data, `lp backward p=${p}`);
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
        reference.adaptiveAvgPoolBackward(gradOutput.data, expected.data, geometry);
        const actual = poisoned(geometry.inputShape);
        wasm().adaptiveAvgPoolBackward(gradOutput.data, actual.data, geometry);
        assertSame(actual.data, expected.data, 'adaptive avg backward');
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
        reference.maxPoolForward(input.data, output.data, argmax.intData, geometry);
        const small = filled(geometry.outputShape, 'plain', seed + 1);
        compareMoves(small.data, argmax.intData, geometry.inputShape, poolingPlanes(geometry));
      }),
    RUNS,
  );
});

test('argmax kernels skip cells whose argmax is -1 (empty windows) and gather 0 there', () => {
  tidy(() => {
    const planes: ArgmaxPlanes = { channelsLast: true, batch: 2, channels: 5, largeSpatial: 6, smallSpatial: 3 };
    const argmax = poisoned([2, 3, 5], 'int32');
    const random = filled([2, 3, 5], 'plain', 9).data;
    argmax.intData.forEach((_, index) => (argmax.intData[index] = random[index]! > 1 ? -1 : index % 6));
    compareMoves(filled([2, 3, 5], 'plain', 3).data, argmax.intData, [2, 6, 5], planes);
    compareMoves(filled([2, 3, 5], 'plain', 4).data, argmax.intData, [2, 6, 5], { ...planes, channelsLast: false });
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
    expected.data.fill(0);
    reference[name](small, argmax, expected.data, planes);
    const actual = poisoned(largeShape);
    actual.data.fill(0);
    wasm()[name](small, argmax, actual.data, planes);
    assertSame(actual.data, expected.data, name);
  }
  const large = filled(largeShape, 'special', 5);
  const expected = poisoned([small.length]);
  reference.argmaxGather(large.data, argmax, expected.data, planes);
  const actual = poisoned([small.length]);
  wasm().argmaxGather(large.data, argmax, actual.data, planes);
  assertSame(actual.data, expected.data, 'argmaxGather');
}

function assertNear(actual: Float32Array, expected: Float32Array, label: string): void {
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    const close = Object.is(got, want) || Math.abs(got - want) <= 1e-6 * Math.abs(want) + 1e-30;
    if (!close) throw new Error(`${label}[${index}]: wasm ${got} != reference ${want}`);
  }
}
