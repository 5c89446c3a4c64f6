// sum, mean, max and min over all axes or some, optionally keeping them as size 1. Called as
// TensorFlow.js does, `sum(x, axis, keepDims)`, or with options, `sum(x, { axis, keepDims })`.
// Sums accumulate in float64. max and min propagate NaN (as TensorFlow.js); an empty max is
// −Infinity, an empty min +Infinity, an empty sum 0, an empty mean NaN. Backward: sum spreads the
// gradient over every reduced cell (divided by the count for mean); max and min send it to every
// cell equal to the result (all tied cells get it, as TensorFlow.js's gradient does).
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkAxis, checkKnownOptions, checkTensor, optionKeys } from '../checks.js';
import { operandIndices } from './broadcast.js';

export interface ReduceOptions {
  /** An axis or axes to reduce (negative counts from the end); default all. */
  axis?: number | readonly number[];
  /** Keep reduced axes as size 1; default false. */
  keepDims?: boolean;
}

/** An axis or axes (TensorFlow.js's positional form), or the options object. */
export type ReduceAxis = number | readonly number[] | ReduceOptions;

const REDUCE_KEYS = optionKeys<ReduceOptions>({ axis: true, keepDims: true });

interface Plan {
  readonly outputShape: number[];
  /** For each input element, the output element it reduces into (null: nothing is reduced). */
  readonly targetOf: Int32Array | null;
  readonly outputSize: number;
  readonly count: number;
}

function readOptions(op: string, axisOrOptions: ReduceAxis | undefined, keepDims: boolean | undefined): ReduceOptions {
  if (typeof axisOrOptions === 'number' || Array.isArray(axisOrOptions))
    return { axis: axisOrOptions as number | readonly number[], keepDims };
  if (axisOrOptions === undefined) return { keepDims };
  if (axisOrOptions === null || typeof axisOrOptions !== 'object')
    fail(op, 'axis', 'must be an integer, a list of integers or { axis, keepDims }', axisOrOptions);
  if (keepDims !== undefined) fail(op, 'keepDims', 'must go inside the options object when one is given', keepDims);
  checkKnownOptions(op, axisOrOptions, REDUCE_KEYS);
  return axisOrOptions as ReduceOptions;
}

function plan(op: string, input: Tensor, options: ReduceOptions): Plan {
  const { axis, keepDims = false } = options;
  if (typeof keepDims !== 'boolean') fail(op, 'keepDims', 'must be a boolean', keepDims);
  const requested =
    axis === undefined ? input.shape.map((_, index) => index) : typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(requested)) fail(op, 'axis', 'must be an integer or a list of integers', axis);
  const axes = new Set(requested.map((each) => checkAxis(op, 'axis', each, input.rank)));
  const keptShape = input.shape.map((extent, index) => (axes.has(index) ? 1 : extent));
  const outputShape = keepDims ? keptShape : input.shape.filter((_, index) => !axes.has(index));
  const count = input.shape.reduce((total, extent, index) => (axes.has(index) ? total * extent : total), 1);
  const outputSize = keptShape.reduce((total, extent) => total * extent, 1);
  return { outputShape, targetOf: operandIndices(keptShape, input.shape), outputSize, count };
}

function reduceSum(op: string, input: Tensor, options: ReduceOptions, average: boolean): Tensor {
  checkTensor(op, 'input', input);
  const { outputShape, targetOf, outputSize, count } = plan(op, input, options);
  const totals = new Float64Array(outputSize);
  const source = input.values;
  for (let index = 0; index < source.length; index++)
    totals[targetOf === null ? index : targetOf[index]!]! += source[index]!;
  const scale = average ? 1 / count : 1;
  const output = Tensor.allocate(outputShape);
  const target = output.values;
  for (let index = 0; index < target.length; index++) target[index] = totals[index]! * scale;
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    const [result, grad] = [gradInput.values, gradOutput.values];
    for (let index = 0; index < result.length; index++)
      result[index] = grad[targetOf === null ? index : targetOf[index]!]! * scale;
    return [gradInput];
  });
  return output;
}

function reduceExtreme(op: string, input: Tensor, options: ReduceOptions, largest: boolean): Tensor {
  checkTensor(op, 'input', input);
  const { outputShape, targetOf } = plan(op, input, options);
  const output = Tensor.allocate(outputShape);
  const [source, target] = [input.values, output.values];
  target.fill(largest ? -Infinity : Infinity);
  for (let index = 0; index < source.length; index++) {
    const into = targetOf === null ? index : targetOf[index]!;
    const value = source[index]!;
    // value !== value: NaN wins and then stays, as TensorFlow.js's max and min.
    if (value !== value || (largest ? value > target[into]! : value < target[into]!)) target[into] = value;
  }
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    const [result, grad, values, extremes] = [gradInput.values, gradOutput.values, input.values, output.values];
    for (let index = 0; index < result.length; index++) {
      const from = targetOf === null ? index : targetOf[index]!;
      result[index] = values[index] === extremes[from] ? grad[from]! : 0;
    }
    return [gradInput];
  });
  return output;
}

/**
 * Σ over the given axes (default all); as tf.sum.
 * @example sum(x); sum(x, -1, true); sum(x, { axis: [0, 1], keepDims: true })
 */
export function sum(input: Tensor, axis?: ReduceAxis, keepDims?: boolean): Tensor {
  return reduceSum('sum', input, readOptions('sum', axis, keepDims), false);
}

/**
 * The mean over the given axes (default all); NaN for an empty reduction; as tf.mean.
 * @example mean(x, [1, 2]) // average over height and width
 */
export function mean(input: Tensor, axis?: ReduceAxis, keepDims?: boolean): Tensor {
  return reduceSum('mean', input, readOptions('mean', axis, keepDims), true);
}

/**
 * The largest value over the given axes (default all); NaN if any is NaN; as tf.max.
 * @example max(x, -1)
 */
export function max(input: Tensor, axis?: ReduceAxis, keepDims?: boolean): Tensor {
  return reduceExtreme('max', input, readOptions('max', axis, keepDims), true);
}

/**
 * The smallest value over the given axes (default all); NaN if any is NaN; as tf.min.
 * @example min(x, 0, true)
 */
export function min(input: Tensor, axis?: ReduceAxis, keepDims?: boolean): Tensor {
  return reduceExtreme('min', input, readOptions('min', axis, keepDims), false);
}
