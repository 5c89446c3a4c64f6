// Every WebGPU forward pooling kernel against the reference kernel on random shapes and options
// (1 to 3 spatial dimensions, both layouts, padding, dilation, ceil mode, ties, all-negative
// inputs, NaN, ±Infinity, ±0): max exactly, sums within GPU_BOUNDS. Shapes stay small: SwiftShader
// runs the shaders on the CPU.
import { test } from 'node:test';
import { referencePoolKernels as reference } from '../../src/kernels/reference/pool-kernels.js';
import { GPU_BOUNDS } from '../../src/kernels/webgpu/gpu-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { adaptiveCases, assertSame, check, filled, poisoned, poolCases } from '../wasm/harness.js';
import { assertWithin, gpu, onGpu, skip, ulp } from './harness.js';

const RUNS = 100;
const divisors = [
  { countIncludePad: false, divisorOverride: null },
  { countIncludePad: true, divisorOverride: null },
  { countIncludePad: true, divisorOverride: 3 },
  { countIncludePad: false, divisorOverride: 0.1 },
];

test('maxPoolForward (with and without argmax) matches the reference bit for bit', { skip }, () => {
  check(
    poolCases({ maxSize: 7, maxChannels: 5 }),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const expected = poisoned(geometry.outputShape);
        const expectedIndices = poisoned(geometry.outputShape, 'int32');
        reference.maxPoolForward(input.values, expected.values, expectedIndices.intValues, geometry);
        const actual = poisoned(geometry.outputShape);
        const indices = poisoned(geometry.outputShape, 'int32');
        onGpu('maxPoolForward', 1, () =>
          gpu().maxPoolForward(input.values, actual.values, indices.intValues, geometry),
        );
        assertSame(actual.values, expected.values, 'max');
        assertSame(indices.intValues, expectedIndices.intValues, 'argmax');
        const plain = poisoned(geometry.outputShape);
        onGpu('maxPoolForward', 1, () => gpu().maxPoolForward(input.values, plain.values, null, geometry));
        assertSame(plain.values, expected.values, 'max without argmax');
      }),
    RUNS,
  );
});

test('avgPoolForward is within 3 ulp of the reference for every divisor rule', { skip }, () => {
  check(
    poolCases({ maxSize: 7, maxChannels: 5 }),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const divisor = divisors[seed % divisors.length]!;
        const expected = poisoned(geometry.outputShape);
        reference.avgPoolForward(input.values, expected.values, geometry, divisor);
        const actual = poisoned(geometry.outputShape);
        onGpu('avgPoolForward', 1, () => gpu().avgPoolForward(input.values, actual.values, geometry, divisor));
        const bound = (index: number) => GPU_BOUNDS.quotientUlps * ulp(expected.values[index]!);
        assertWithin(actual.values, expected.values, bound, 'avg');
      }),
    RUNS,
  );
});

test('lpPoolForward: exact for p = 1, within 5 ulp for p = 2, within 2^-15 relative otherwise', { skip }, () => {
  const powers = [1, 2, 3, 1.5];
  check(
    poolCases({ maxSize: 7, maxChannels: 5 }),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const power = powers[seed % powers.length]!;
        const expected = poisoned(geometry.outputShape);
        reference.lpPoolForward(input.values, expected.values, geometry, power);
        const actual = poisoned(geometry.outputShape);
        onGpu('lpPoolForward', 1, () => gpu().lpPoolForward(input.values, actual.values, geometry, power));
        if (power === 1) return assertSame(actual.values, expected.values, 'lp p=1');
        const bound = (index: number) => {
          const value = expected.values[index]!;
          return power === 2 ? GPU_BOUNDS.squareRootUlps * ulp(value) : GPU_BOUNDS.powerRelative * Math.abs(value);
        };
        assertWithin(actual.values, expected.values, bound, `lp p=${power}`);
      }),
    RUNS,
  );
});

test('adaptiveMaxPoolForward matches the reference bit for bit, argmax too', { skip }, () => {
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
        onGpu('adaptiveMaxPoolForward', 1, () =>
          gpu().adaptiveMaxPoolForward(input.values, actual.values, indices.intValues, geometry),
        );
        assertSame(actual.values, expected.values, 'adaptive max');
        assertSame(indices.intValues, expectedIndices.intValues, 'adaptive argmax');
      }),
    RUNS,
  );
});

test('adaptiveAvgPoolForward is within 3 ulp of the reference', { skip }, () => {
  check(
    adaptiveCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const expected = poisoned(geometry.outputShape);
        reference.adaptiveAvgPoolForward(input.values, expected.values, geometry);
        const actual = poisoned(geometry.outputShape);
        onGpu('adaptiveAvgPoolForward', 1, () => gpu().adaptiveAvgPoolForward(input.values, actual.values, geometry));
        const bound = (index: number) => GPU_BOUNDS.quotientUlps * ulp(expected.values[index]!);
        assertWithin(actual.values, expected.values, bound, 'adaptive avg');
      }),
    RUNS,
  );
});
