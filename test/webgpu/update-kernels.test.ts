// RMSprop's and Adagrad's updates on the GPU against their reference kernels on random sizes, every
// slot combination (momentum, centered), with NaN, +Infinity and zero gradients planted.
import { test } from 'node:test';
import fc from 'fast-check';
import { Random } from '../../src/index.js';
import { referenceUpdateKernels as reference } from '../../src/kernels/reference/update-kernels.js';
import { GPU_UPDATE_BOUNDS } from '../../src/kernels/webgpu/train-update-kernels.js';
import { assertWithin, gpu, onGpu, skip, ulp } from './harness.js';

function arrays(length: number, seed: number, special: boolean) {
  const random = new Random(seed);
  const uniform = (low: number, high: number) =>
    Float32Array.from({ length }, () => low + random.uniform() * (high - low));
  const grad = uniform(-2, 2);
  if (special && length > 3) [grad[0], grad[1], grad[2]] = [NaN, Infinity, 0];
  // Mean squares well above the average gradient squared: centered RMSprop's v − a² cancels otherwise.
  return {
    values: uniform(-1, 1),
    grad,
    velocity: uniform(1, 2),
    moment: uniform(-0.1, 0.1),
    average: uniform(-0.5, 0.5),
  };
}

const slotBound = (magnitude: number) => GPU_UPDATE_BOUNDS.slotUlps * ulp(magnitude) + 2 ** -126;

test('rmspropUpdate on the GPU is within GPU_UPDATE_BOUNDS of the reference (every slot combination)', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (length, seed, withMomentum, centered, special) => {
        const label = JSON.stringify({ length, seed, withMomentum, centered, special });
        const step = { learningRate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 1e-7 };
        const start = arrays(length, seed, special);
        const copy = () => ({
          values: start.values.slice(),
          velocity: start.velocity.slice(),
          moment: withMomentum ? start.moment.slice() : null,
          average: centered ? start.average.slice() : null,
        });
        const [want, got] = [copy(), copy()];
        reference.rmspropUpdate(want.values, start.grad, want.velocity, want.moment, want.average, step);
        onGpu('rmspropUpdate', 1, () =>
          gpu().rmspropUpdate(got.values, start.grad, got.velocity, got.moment, got.average, step),
        );
        const increment = (index: number) => Math.abs(step.learningRate * start.grad[index]!) / Math.sqrt(0.9);
        const square = (index: number) => 0.9 * start.velocity[index]! + 0.1 * start.grad[index]! ** 2;
        assertWithin(got.velocity, want.velocity, (index) => slotBound(square(index)), `velocity ${label}`);
        if (got.average !== null)
          assertWithin(
            got.average,
            want.average!,
            (index) => slotBound(0.5 + Math.abs(start.grad[index]!)),
            `average ${label}`,
          );
        const change = (index: number) =>
          (got.moment === null ? 0 : slotBound(0.05 + increment(index))) +
          GPU_UPDATE_BOUNDS.incrementRelative * increment(index) * 4;
        if (got.moment !== null) assertWithin(got.moment, want.moment!, change, `moment ${label}`);
        assertWithin(
          got.values,
          want.values,
          (index) => ulp(want.values[index]!) + 2 * change(index),
          `values ${label}`,
        );
      },
    ),
    { numRuns: 30, seed: 19 },
  );
});

test('adagradUpdate on the GPU is within GPU_UPDATE_BOUNDS of the reference', { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.boolean(),
      (length, seed, special) => {
        const step = { learningRate: 0.05, epsilon: 1e-7 };
        const start = arrays(length, seed, special);
        const [want, got] = [0, 1].map(() => ({ values: start.values.slice(), accumulator: start.velocity.slice() }));
        reference.adagradUpdate(want!.values, start.grad, want!.accumulator, step);
        onGpu('adagradUpdate', 1, () => gpu().adagradUpdate(got!.values, start.grad, got!.accumulator, step));
        const total = (index: number) => start.velocity[index]! + start.grad[index]! ** 2;
        assertWithin(got!.accumulator, want!.accumulator, (index) => slotBound(total(index)), `accumulator ${seed}`);
        const increment = (index: number) => Math.abs(step.learningRate * start.grad[index]!) / Math.sqrt(total(index));
        const bound = (index: number) =>
          ulp(want!.values[index]!) + GPU_UPDATE_BOUNDS.incrementRelative * increment(index) * 4;
        assertWithin(got!.values, want!.values, bound, `values ${seed}`);
      },
    ),
    { numRuns: 30, seed: 19 },
  );
});
