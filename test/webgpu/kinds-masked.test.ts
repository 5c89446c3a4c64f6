// Masked sequence pooling's GPU kernels (max with its step, average, Lp; forward and ∂x) against the
// reference kernels on random [batch, time, features] and masks (any pattern, empty sequences), with
// ties, NaN, ±Infinity and ±0: max bit for bit, the sums within KIND_GPU_BOUNDS.
import fc from 'fast-check';
import { test } from 'node:test';
import { referencePoolKernels } from '../../src/kernels/reference/pool-kernels.js';
import type { MaskedReduction } from '../../src/kernels/reference/extra/masked-pool.js';
import { GPU_BOUNDS } from '../../src/kernels/webgpu/gpu-kernels.js';
import { KIND_GPU_BOUNDS } from '../../src/kernels/webgpu/kind-kernels.js';
import { tidy } from '../../src/tensor/scope.js';
import { assertSame, check, filled, generator, type ValueKind } from '../wasm/harness.js';
import { assertWithin, skip, ulp } from './harness.js';
import { bothWays } from './kinds-harness.js';

const RUNS = 60;
const { extraUlps } = KIND_GPU_BOUNDS;

const maskedCases = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 9 }),
  features: fc.integer({ min: 1, max: 5 }),
  reduction: fc.constantFrom<MaskedReduction>(
    { kind: 'max' },
    { kind: 'average' },
    { kind: 'lp', p: 1 },
    { kind: 'lp', p: 2 },
    { kind: 'lp', p: 3 },
    { kind: 'lp', p: 1.5 },
  ),
  values: fc.constantFrom<ValueKind>('plain', 'ties', 'negative', 'special'),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

/** A random 0/1 mask, one sequence in four empty and one in four a prefix. */
function maskOf(batch: number, time: number, seed: number): Uint8Array {
  const random = generator(seed);
  const mask = new Uint8Array(batch * time);
  for (let sample = 0; sample < batch; sample++) {
    const pattern = random();
    const length = Math.floor(random() * (time + 1));
    for (let step = 0; step < time; step++)
      mask[sample * time + step] = pattern < 0.25 ? 0 : pattern < 0.5 ? Number(step < length) : Number(random() < 0.6);
  }
  return mask;
}

/** Per output: the valid steps' Σ|x| over their count (the size of what a float32 sum of them rounds). */
function magnitudes(
  input: Float32Array,
  mask: Uint8Array,
  geometry: { batch: number; time: number; features: number },
) {
  const sizes = new Float64Array(geometry.batch * geometry.features);
  const counts = new Float64Array(geometry.batch * geometry.features);
  for (let index = 0; index < input.length; index++) {
    const row = Math.floor(index / geometry.features);
    const output = Math.floor(row / geometry.time) * geometry.features + (index % geometry.features);
    if (mask[row] !== 1) continue;
    sizes[output]! += Math.abs(input[index]!);
    counts[output]! += 1;
  }
  return { sizes, counts };
}

test('maskedPoolForward and maskedPoolBackward: max bit for bit, average and Lp within bounds', { skip }, () => {
  check(
    maskedCases,
    ({ batch, time, features, reduction, values, seed }) =>
      tidy(() => {
        const geometry = { batch, time, features };
        const input = filled([batch, time, features], values, seed);
        const mask = maskOf(batch, time, seed + 1);
        const isMax = reduction.kind === 'max';
        const outputs = [{ shape: [batch, features] }, { shape: [batch, features], dtype: 'int32' as const }];
        const [expected, actual] = bothWays('maskedPoolForward', outputs, (k, [y, argmax]) =>
          k.maskedPoolForward(input.values, mask, y!.values, isMax ? argmax!.intValues : null, geometry, reduction),
        );
        const { sizes, counts } = magnitudes(input.values, mask, geometry);
        const powered = reduction.kind === 'lp' && reduction.p !== 1 && reduction.p !== 2;
        if (isMax) {
          assertSame(actual[0]!, expected[0]!, 'masked max');
          assertSame(actual[1]!, expected[1]!, 'masked max steps');
        } else {
          const scale = (index: number) =>
            reduction.kind === 'average' ? sizes[index]! / Math.max(counts[index]!, 1) : Math.abs(expected[0]![index]!);
          const bound = (index: number) =>
            (counts[index]! + extraUlps) * 2 ** -24 * scale(index) +
            (powered ? GPU_BOUNDS.powerRelative * scale(index) : 0);
          assertWithin(actual[0]!, expected[0]!, bound, `masked ${reduction.kind}`);
        }
        const output = expected[0] as Float32Array;
        const argmax = isMax ? (expected[1] as Int32Array) : null;
        const gradOutput = filled([batch, features], 'plain', seed + 2);
        const [[want], [got]] = bothWays(
          'maskedPoolBackward',
          [{ shape: [batch, time, features], zeroed: true }],
          (k, [g]) =>
            k.maskedPoolBackward(input.values, mask, output, argmax, gradOutput.values, g!.values, geometry, reduction),
        );
        const shareBound = (index: number) =>
          extraUlps * ulp(want![index]!) + (powered ? GPU_BOUNDS.powerShareRelative * Math.abs(want![index]!) : 0);
        assertWithin(got!, want!, shareBound, `masked ${reduction.kind} ∂x`);
      }),
    RUNS,
  );
});

test('maskedPoolBackward adds into the gradient it is given, padded steps untouched', { skip }, () =>
  tidy(() => {
    const geometry = { batch: 2, time: 3, features: 2 };
    const input = filled([2, 3, 2], 'plain', 5);
    const mask = Uint8Array.from([1, 0, 1, 0, 0, 0]);
    const reduction = { kind: 'average' } as const;
    const output = new Float32Array(4);
    referencePoolKernels.maskedPoolForward(input.values, mask, output, null, geometry, reduction);
    const gradOutput = filled([2, 2], 'plain', 6);
    const start = filled([2, 3, 2], 'plain', 7);
    const [[want], [got]] = bothWays('maskedPoolBackward', [{ shape: [2, 3, 2] }], (k, [g]) => {
      g!.values.set(start.values);
      k.maskedPoolBackward(input.values, mask, output, null, gradOutput.values, g!.values, geometry, reduction);
    });
    assertWithin(got!, want!, (index) => extraUlps * ulp(want![index]!), 'masked ∂x added');
  }),
);
