// sum and mean over all axes or a list of axes, optionally keeping them as size 1. The backward
// pass spreads the output gradient back over every reduced cell (divided by the count for mean).
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../checks.js';

export interface ReduceOptions {
  /** An axis or axes to reduce (negative counts from the end); default all. */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1; default false. */
  keepDims?: boolean;
}

interface Plan {
  readonly outputShape: number[];
  /** For each input element, the output element it reduces into. */
  readonly targetOf: (index: number) => number;
  readonly count: number;
}

function plan(op: string, input: Tensor, options: ReduceOptions): Plan {
  const rank = input.rank;
  const requested =
    options.axis === undefined
      ? input.shape.map((_, axis) => axis)
      : typeof options.axis === 'number'
        ? [options.axis]
        : options.axis;
  if (!Array.isArray(requested)) fail(op, 'axis', 'must be an integer or a list of integers', options.axis);
  const axes = new Set(
    requested.map((axis) => {
      if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
        fail(op, 'axis', `must be in [${-rank}, ${rank})`, options.axis);
      return axis < 0 ? axis + rank : axis;
    }),
  );
  const keptShape = input.shape.map((extent, axis) => (axes.has(axis) ? 1 : extent));
  const outputShape = options.keepDims ? keptShape : input.shape.filter((_, axis) => !axes.has(axis));
  const inputStrides = stridesOf(input.shape);
  const outputStrides = stridesOf(keptShape);
  const targetOf = (index: number): number => {
    let target = 0;
    for (let axis = 0; axis < rank; axis++) {
      const coordinate = Math.floor(index / inputStrides[axis]!) % input.shape[axis]!;
      if (!axes.has(axis)) target += coordinate * outputStrides[axis]!;
    }
    return target;
  };
  const count = input.shape.reduce((total, extent, axis) => (axes.has(axis) ? total * extent : total), 1);
  return { outputShape, targetOf, count };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let axis = shape.length - 1, stride = 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

function reduce(op: string, input: Tensor, options: ReduceOptions | undefined, average: boolean): Tensor {
  checkTensor(op, 'input', input);
  const { outputShape, targetOf, count } = plan(op, input, checkOptions(op, options, false));
  const scale = average ? 1 / count : 1;
  const output = Tensor.allocate(outputShape);
  const [source, target] = [input.values, output.values];
  target.fill(0);
  for (let index = 0; index < source.length; index++) target[targetOf(index)]! += source[index]! * scale;
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    const [result, grad] = [gradInput.values, gradOutput.values];
    for (let index = 0; index < result.length; index++) result[index] = grad[targetOf(index)]! * scale;
    return [gradInput];
  });
  return output;
}

/**
 * Σ over the given axes (default all).
 * @example sum(x); sum(x, { axis: -1, keepDims: true })
 */
export function sum(input: Tensor, options?: ReduceOptions): Tensor {
  return reduce('sum', input, options, false);
}

/**
 * The mean over the given axes (default all); NaN for an empty reduction.
 * @example mean(x, { axis: [1, 2] }) // average over height and width
 */
export function mean(input: Tensor, options?: ReduceOptions): Tensor {
  return reduce('mean', input, options, true);
}
