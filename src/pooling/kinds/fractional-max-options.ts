// Argument checks of fractional max pooling: output size or ratio, pool size, sequence kind, samples.
import { fail } from '../../errors.js';
import { checkAnyTensor } from '../../ops/checks.js';
import { Tensor } from '../../tensor/tensor.js';
import type { AxisPlan } from './fractional-max-geometry.js';

interface SizeOptions {
  outputSize?: number | readonly number[];
  outputRatio?: number | readonly number[];
  kernelSize?: number | readonly number[];
  sequence?: 'pseudoRandom' | 'random';
  overlapping?: boolean;
}

function perAxis(
  op: string,
  name: string,
  value: unknown,
  axes: number,
  valid: (item: number) => boolean,
  rule: string,
): number[] {
  const values = typeof value === 'number' ? Array<number>(axes).fill(value) : value;
  if (
    !Array.isArray(values) ||
    values.length !== axes ||
    !values.every((item) => typeof item === 'number' && valid(item))
  ) {
    fail(op, name, `${rule}, or ${axes} such numbers`, value);
  }
  return values as number[];
}

/** One plan per spatial axis (depth, height, width order), checked as PyTorch checks them. */
export function resolveSizes(op: string, inSizes: readonly number[], axes: number, options: SizeOptions): AxisPlan[] {
  const { outputSize, outputRatio, kernelSize } = options;
  if ((outputSize === undefined) === (outputRatio === undefined)) {
    fail(op, 'outputSize', 'or outputRatio must be given (exactly one of them)', { outputSize, outputRatio });
  }
  const outSizes =
    outputSize !== undefined
      ? perAxis(
          op,
          'outputSize',
          outputSize,
          axes,
          (item) => Number.isInteger(item) && item >= 1,
          'must be a positive integer',
        )
      : perAxis(op, 'outputRatio', outputRatio, axes, (item) => item > 0 && item < 1, 'must be a number in (0, 1)').map(
          (ratio, axis) => Math.floor(inSizes[axis]! * ratio),
        );
  const kernels =
    kernelSize === undefined
      ? null
      : perAxis(
          op,
          'kernelSize',
          kernelSize,
          axes,
          (item) => Number.isInteger(item) && item >= 1,
          'must be a positive integer',
        );
  const sequence = options.sequence ?? 'pseudoRandom';
  if (sequence !== 'pseudoRandom' && sequence !== 'random')
    fail(op, 'sequence', "must be 'pseudoRandom' or 'random'", sequence);
  const overlapping = options.overlapping ?? false;
  if (typeof overlapping !== 'boolean') fail(op, 'overlapping', 'must be a boolean', overlapping);
  if (kernels !== null && (sequence !== 'pseudoRandom' || overlapping)) {
    fail(
      op,
      'kernelSize',
      "selects PyTorch's fixed-size regions, which are pseudo-random and cannot take sequence 'random' or overlapping",
      kernelSize,
    );
  }
  return outSizes.map((outSize, axis) => {
    const inSize = inSizes[axis]!;
    const kernel = kernels === null ? null : kernels[axis]!;
    if (outSize < 1)
      fail(
        op,
        'outputRatio',
        `gives output size ${outSize} along spatial axis ${axis}; it must be at least 1`,
        outputRatio,
      );
    if (kernel !== null && outSize + kernel - 1 > inSize) {
      fail(
        op,
        'kernelSize',
        `(${kernel}) plus output size ${outSize} − 1 must not exceed input size ${inSize} along spatial axis ${axis}`,
        kernelSize,
      );
    }
    if (kernel === null && outSize > inSize)
      fail(op, 'outputSize', `must not exceed input size ${inSize} along spatial axis ${axis}`, outputSize);
    return { inSize, outSize, kernel, sequence, overlapping };
  });
}

/** The given samples as a flat array [planes·axes] in [0, 1), or null when they are to be drawn. */
export function checkSamples(
  op: string,
  samples: unknown,
  planes: number,
  axes: number,
  plans: readonly AxisPlan[],
): ArrayLike<number> | null {
  if (samples === undefined) return null;
  if (plans.some((plan) => plan.kernel === null && plan.sequence === 'random')) {
    fail(
      op,
      'samples',
      "cannot be given with sequence 'random' (its increments are shuffled, not drawn from u)",
      'samples',
    );
  }
  const values = samples instanceof Tensor ? checkAnyTensor(op, 'samples', samples).toFloat32Array() : samples;
  if (!(values instanceof Float32Array) && !Array.isArray(values))
    fail(op, 'samples', 'must be a Tensor, a Float32Array or an array of numbers', typeof samples);
  const flat = values as ArrayLike<number>;
  if (flat.length !== planes * axes)
    fail(op, 'samples', `must hold batch·channels·${axes} = ${planes * axes} numbers`, `${flat.length} numbers`);
  for (let index = 0; index < flat.length; index++) {
    const value = flat[index]!;
    if (!(value >= 0 && value < 1)) fail(op, 'samples', 'must be in [0, 1)', value);
  }
  return flat;
}
