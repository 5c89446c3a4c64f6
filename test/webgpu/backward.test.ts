// Every WebGPU backward pooling kernel against the reference kernel on random shapes and options:
// max backward, argmax scatter-add and Lp with p = 1 bit for bit (the gathers add in the reference's
// order), average and Lp within GPU_BOUNDS of Σ|terms| (the reference backward of the magnitudes).
import { test } from 'node:test';
import type { PoolingSizes } from '../../src/geometry/layout.js';
import { referencePoolKernels as reference } from '../../src/kernels/reference/pool-kernels.js';
import { GPU_BOUNDS } from '../../src/kernels/webgpu/gpu-kernels.js';
import { poolingPlanes } from '../../src/pooling/argmax-planes.js';
import { tidy } from '../../src/tensor/scope.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { adaptiveCases, assertSame, check, filled, poisoned, poolCases, versusReference } from '../wasm/harness.js';
import { assertWithin, gpu, onGpu, skip } from './harness.js';

const RUNS = 100;
const cases = () => poolCases({ maxSize: 7, maxChannels: 5 });

function absolute(tensor: Tensor): Tensor {
  const result = Tensor.allocate(tensor.shape);
  tensor.values.forEach((value, index) => (result.values[index] = Math.abs(value)));
  return result;
}

/** The bound on a sum of shares: (windows + 3) ulps of the sum of their magnitudes. */
const shareBound = (windows: number, magnitudes: Float32Array) => (index: number) =>
  (windows + GPU_BOUNDS.shareSumUlps) * 2 ** -23 * magnitudes[index]!;

const windowVolume = (geometry: { kernelDepth: number; kernelHeight: number; kernelWidth: number }) =>
  geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;

/** The most adaptive windows holding one input cell: per axis at most ceil(out / in) + 1. */
const adaptiveWindows = (sizes: PoolingSizes) =>
  [
    [sizes.inDepth, sizes.outDepth],
    [sizes.inHeight, sizes.outHeight],
    [sizes.inWidth, sizes.outWidth],
  ].reduce((product, [inSize, outSize]) => product * (Math.ceil(outSize! / inSize!) + 1), 1);

test('maxPoolBackward matches the reference bit for bit', { skip }, () => {
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const output = poisoned(geometry.outputShape);
        const argmax = poisoned(geometry.outputShape, 'int32');
        reference.maxPoolForward(input.values, output.values, argmax.intValues, geometry);
        const gradOutput = filled(geometry.outputShape, values === 'special' ? 'plain' : values, seed + 1);
        const [[expected], [actual]] = onGpu('maxPoolBackward', 1, () =>
          versusReference(gpu(), [{ shape: geometry.inputShape }], (kernels, [gradient]) =>
            kernels.maxPoolBackward(gradOutput.values, argmax.intValues, gradient!.values, geometry),
          ),
        );
        assertSame(actual!, expected!, 'max backward');
      }),
    RUNS,
  );
});

test('avgPoolBackward is within (windows + 3) ulp of Σ|shares| for every divisor rule', { skip }, () => {
  const divisors = [
    { countIncludePad: false, divisorOverride: null },
    { countIncludePad: true, divisorOverride: null },
    { countIncludePad: false, divisorOverride: 0.1 },
  ];
  check(
    cases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const divisor = divisors[seed % divisors.length]!;
        const gradOutput = filled(geometry.outputShape, values, seed);
        const magnitudes = poisoned(geometry.inputShape);
        reference.avgPoolBackward(absolute(gradOutput).values, magnitudes.values, geometry, divisor);
        const [[expected], [actual]] = onGpu('avgPoolBackward', 1, () =>
          versusReference(gpu(), [{ shape: geometry.inputShape }], (kernels, [gradient]) =>
            kernels.avgPoolBackward(gradOutput.values, gradient!.values, geometry, divisor),
          ),
        );
        assertWithin(actual!, expected!, shareBound(windowVolume(geometry), magnitudes.values), 'avg backward');
      }),
    RUNS,
  );
});

test(
  'lpPoolBackward: exact for p = 1, within (windows + 3) ulp of Σ|terms| for p = 2, 2^-14 otherwise',
  { skip },
  () => {
    const powers = [1, 2, 3, 1.5];
    check(
      cases(),
      ({ geometry, values, seed }) =>
        tidy(() => {
          const power = powers[seed % powers.length]!;
          const input = filled(geometry.inputShape, values, seed);
          const output = poisoned(geometry.outputShape);
          reference.lpPoolForward(input.values, output.values, geometry, power);
          const gradOutput = filled(geometry.outputShape, 'plain', seed + 1);
          const magnitudes = poisoned(geometry.inputShape);
          const absolutes = [absolute(input), absolute(gradOutput)] as const;
          reference.lpPoolBackward(
            absolutes[0].values,
            output.values,
            absolutes[1].values,
            magnitudes.values,
            geometry,
            power,
          );
          const [[expected], [actual]] = onGpu('lpPoolBackward', 1, () =>
            versusReference(gpu(), [{ shape: geometry.inputShape }], (kernels, [gradient]) =>
              kernels.lpPoolBackward(input.values, output.values, gradOutput.values, gradient!.values, geometry, power),
            ),
          );
          if (power === 1) return assertSame(actual!, expected!, 'lp backward p=1');
          const bound =
            power === 2
              ? shareBound(windowVolume(geometry), magnitudes.values)
              : (index: number) => GPU_BOUNDS.powerShareRelative * magnitudes.values[index]!;
          assertWithin(actual!, expected!, bound, `lp backward p=${power}`);
        }),
      RUNS,
    );
  },
);

test('adaptiveAvgPoolBackward is within (windows + 3) ulp of Σ|shares|', { skip }, () => {
  check(
    adaptiveCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const gradOutput = filled(geometry.outputShape, values, seed);
        const magnitudes = poisoned(geometry.inputShape);
        reference.adaptiveAvgPoolBackward(absolute(gradOutput).values, magnitudes.values, geometry);
        const [[expected], [actual]] = onGpu('adaptiveAvgPoolBackward', 1, () =>
          versusReference(gpu(), [{ shape: geometry.inputShape }], (kernels, [gradient]) =>
            kernels.adaptiveAvgPoolBackward(gradOutput.values, gradient!.values, geometry),
          ),
        );
        assertWithin(
          actual!,
          expected!,
          shareBound(adaptiveWindows(geometry), magnitudes.values),
          'adaptive avg backward',
        );
      }),
    RUNS,
  );
});

test('argmaxScatterAdd (adaptive and global max backward) matches the reference bit for bit', { skip }, () => {
  check(
    adaptiveCases(),
    ({ geometry, values, seed }) =>
      tidy(() => {
        const input = filled(geometry.inputShape, values, seed);
        const output = poisoned(geometry.outputShape);
        const argmax = poisoned(geometry.outputShape, 'int32');
        reference.adaptiveMaxPoolForward(input.values, output.values, argmax.intValues, geometry);
        const small = filled(geometry.outputShape, 'ties', seed + 1);
        // It adds into what is there: the poisoned cells, the same on both sides.
        const [[expected], [actual]] = onGpu('argmaxScatterAdd', 1, () =>
          versusReference(gpu(), [{ shape: geometry.inputShape }], (kernels, [gradient]) =>
            kernels.argmaxScatterAdd(small.values, argmax.intValues, gradient!.values, poolingPlanes(geometry)),
          ),
        );
        assertSame(actual!, expected!, 'argmax scatter-add');
      }),
    RUNS,
  );
});

test(
  'argmaxScatter and argmaxGather (max unpooling, forward and backward) match the reference bit for bit',
  { skip },
  () => {
    check(
      cases(),
      ({ geometry, values, seed }) =>
        tidy(() => {
          // Overlapping windows share argmax cells: the scatter's last write must win, as in the reference.
          const input = filled(geometry.inputShape, values, seed);
          const pooled = poisoned(geometry.outputShape);
          const argmax = poisoned(geometry.outputShape, 'int32');
          reference.maxPoolForward(input.values, pooled.values, argmax.intValues, geometry);
          const small = filled(geometry.outputShape, 'plain', seed + 1);
          const [[expected], [actual]] = onGpu('argmaxScatter', 1, () =>
            versusReference(gpu(), [{ shape: geometry.inputShape }], (kernels, [large]) =>
              kernels.argmaxScatter(small.values, argmax.intValues, large!.values, poolingPlanes(geometry)),
            ),
          );
          assertSame(actual!, expected!, 'argmax scatter');
          const [[gathered], [gatheredOnGpu]] = onGpu('argmaxGather', 1, () =>
            versusReference(gpu(), [{ shape: geometry.outputShape }], (kernels, [output]) =>
              kernels.argmaxGather(input.values, argmax.intValues, output!.values, poolingPlanes(geometry)),
            ),
          );
          assertSame(gatheredOnGpu!, gathered!, 'argmax gather');
        }),
      RUNS,
    );
  },
);
