// Every WebGPU forward pooling kernel against the reference kernel on random shapes and options
// (1 to 3 spatial dimensions, both layouts, padding, dilation, ceil mode, ties, all-negative
// inputs, NaN, ±Infinity, ±0): max exactly, sums within GPU_BOUNDS. Shapes stay small: SwiftShader
// runs the shaders on the CPU.
import { test } from 'node:test';
import { GPU_BOUNDS } from '../../src/kernels/webgpu/gpu-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { adaptiveCases, assertSame, check, filled, poolCases, versusReference } from '../wasm/harness.js';
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
        const outputs = [{ shape: geometry.outputShape }, { shape: geometry.outputShape, dtype: 'int32' as const }];
        const [expected, actual] = onGpu('maxPoolForward', 1, () =>
          versusReference(gpu(), outputs, (kernels, [output, argmax]) =>
            kernels.maxPoolForward(input.values, output!.values, argmax!.intValues, geometry),
          ),
        );
        assertSame(actual[0]!, expected[0]!, 'max');
        assertSame(actual[1]!, expected[1]!, 'argmax');
        const [, plain] = onGpu('maxPoolForward', 1, () =>
          versusReference(gpu(), outputs.slice(0, 1), (kernels, [output]) =>
            kernels.maxPoolForward(input.values, output!.values, null, geometry),
          ),
        );
        assertSame(plain[0]!, expected[0]!, 'max without argmax');
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
        const [[expected], [actual]] = onGpu('avgPoolForward', 1, () =>
          versusReference(gpu(), [{ shape: geometry.outputShape }], (kernels, [output]) =>
            kernels.avgPoolForward(input.values, output!.values, geometry, divisor),
          ),
        );
        const bound = (index: number) => GPU_BOUNDS.quotientUlps * ulp(expected![index]!);
        assertWithin(actual!, expected!, bound, 'avg');
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
        const [[expected], [actual]] = onGpu('lpPoolForward', 1, () =>
          versusReference(gpu(), [{ shape: geometry.outputShape }], (kernels, [output]) =>
            kernels.lpPoolForward(input.values, output!.values, geometry, power),
          ),
        );
        if (power === 1) return assertSame(actual!, expected!, 'lp p=1');
        const bound = (index: number) => {
          const value = expected![index]!;
          return power === 2 ? GPU_BOUNDS.squareRootUlps * ulp(value) : GPU_BOUNDS.powerRelative * Math.abs(value);
        };
        assertWithin(actual!, expected!, bound, `lp p=${power}`);
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
        const outputs = [{ shape: geometry.outputShape }, { shape: geometry.outputShape, dtype: 'int32' as const }];
        const [expected, actual] = onGpu('adaptiveMaxPoolForward', 1, () =>
          versusReference(gpu(), outputs, (kernels, [output, argmax]) =>
            kernels.adaptiveMaxPoolForward(input.values, output!.values, argmax!.intValues, geometry),
          ),
        );
        assertSame(actual[0]!, expected[0]!, 'adaptive max');
        assertSame(actual[1]!, expected[1]!, 'adaptive argmax');
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
        const [[expected], [actual]] = onGpu('adaptiveAvgPoolForward', 1, () =>
          versusReference(gpu(), [{ shape: geometry.outputShape }], (kernels, [output]) =>
            kernels.adaptiveAvgPoolForward(input.values, output!.values, geometry),
          ),
        );
        const bound = (index: number) => GPU_BOUNDS.quotientUlps * ulp(expected![index]!);
        assertWithin(actual!, expected!, bound, 'adaptive avg');
      }),
    RUNS,
  );
});
