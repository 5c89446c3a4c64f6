// reshape, flatten and transpose. reshape and flatten are views over the same bytes; transpose
// copies. Their backward passes undo them: reshape back, transpose by the inverse permutation.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import type { PlaneTranspose } from '../../kernels/types.js';
import type { Shape } from '../../tensor/tensor.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkAnyTensor, checkTensor, describeShape } from '../checks.js';

/**
 * The same elements in a new shape (no copy); one -1 is inferred; float32 or int32.
 * @example reshape(x, [-1, 784])
 */
export function reshape(input: Tensor, shape: Shape): Tensor {
  checkAnyTensor('reshape', 'input', input);
  if (!Array.isArray(shape)) fail('reshape', 'shape', 'must be an array of integers', shape);
  const output = input.reshape(shape);
  recordGrad('reshape', output, [input], (gradOutput) => [gradOutput.reshape(input.shape)]);
  return output;
}

/**
 * Keeps the first (batch) axis and flattens the rest, as Keras's Flatten.
 * @example flatten(x) // [128, 13, 13, 32] → [128, 5408]
 */
export function flatten(input: Tensor): Tensor {
  checkTensor('flatten', 'input', input);
  if (input.rank < 1) fail('flatten', 'input', 'must have a batch axis (rank at least 1)', describeShape(input));
  const batch = input.shape[0]!;
  return reshape(input, [batch, batch === 0 ? 0 : input.size / batch]);
}

/**
 * Permutes the axes: output axis i is input axis permutation[i]; default reverses them.
 * @example transpose(nchw, [0, 2, 3, 1]) // → NHWC
 */
export function transpose(input: Tensor, permutation?: readonly number[]): Tensor {
  checkTensor('transpose', 'input', input);
  const rank = input.rank;
  const order = permutation ?? Array.from({ length: rank }, (_, axis) => rank - 1 - axis);
  const sorted = [...order].sort((left, right) => left - right);
  if (!Array.isArray(order) || order.length !== rank || sorted.some((axis, index) => axis !== index)) {
    fail('transpose', 'permutation', `must be a permutation of 0..${rank - 1}`, permutation);
  }
  const output = Tensor.allocate(order.map((axis) => input.shape[axis]!));
  permute(input.values, output.values, input.shape, order);
  recordGrad('transpose', output, [input], (gradOutput) => {
    const inverse = new Array<number>(rank);
    order.forEach((axis, index) => (inverse[axis] = index));
    const gradInput = Tensor.allocate(input.shape);
    permute(gradOutput.values, gradInput.values, output.shape, inverse);
    return [gradInput];
  });
  return output;
}

/** Copies `source` (laid out in `shape`) permuted by `order`: a batched 2D transpose by its kernel, else the odometer. */
function permute(source: Float32Array, target: Float32Array, shape: Shape, order: readonly number[]): void {
  const planes = planeTranspose(shape, order);
  // Through Int32Array views: a float read and write may quiet a signalling NaN (V8 does).
  if (planes === null) permuteInto(wordsOf(source), wordsOf(target), shape, order);
  else if (planes.rows === 1 || planes.columns === 1) target.set(source);
  else kernel('transposePlanes')(source, target, planes);
}

/**
 * The permutation as a batched 2D transpose, once size-1 axes are dropped (they move no bytes): axes
 * [leading | A | B] in, [leading | B | A] out, each group in order; null when it is not one.
 */
export function planeTranspose(shape: Shape, order: readonly number[]): PlaneTranspose | null {
  const kept = order.filter((axis) => shape[axis] !== 1);
  const sorted = [...kept].sort((left, right) => left - right);
  const sizes = sorted.map((axis) => shape[axis]!);
  const ranks = kept.map((axis) => sorted.indexOf(axis));
  let leading = 0;
  while (leading < ranks.length && ranks[leading] === leading) leading++;
  if (leading === ranks.length) return { batch: 1, rows: 1, columns: product(sizes) };
  const split = ranks[leading]!;
  const expected = [...range(split, ranks.length), ...range(leading, split)];
  if (expected.some((axis, index) => ranks[leading + index] !== axis)) return null;
  return {
    batch: product(sizes.slice(0, leading)),
    rows: product(sizes.slice(leading, split)),
    columns: product(sizes.slice(split)),
  };
}

function wordsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, index) => start + index);
}

function product(sizes: readonly number[]): number {
  return sizes.reduce((total, size) => total * size, 1);
}

/** Walks the output in order, stepping through the input by the permuted strides (an odometer). */
function permuteInto(source: Int32Array, target: Int32Array, shape: Shape, order: readonly number[]): void {
  const rank = shape.length;
  const inputStrides = new Int32Array(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    inputStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  const extents = Int32Array.from(order, (axis) => shape[axis]!);
  const steps = Int32Array.from(order, (axis) => inputStrides[axis]!);
  const counter = new Int32Array(rank);
  let sourceIndex = 0;
  for (let targetIndex = 0; targetIndex < target.length; targetIndex++) {
    target[targetIndex] = source[sourceIndex]!;
    let axis = rank - 1;
    while (axis >= 0) {
      counter[axis]!++;
      sourceIndex += steps[axis]!;
      if (counter[axis]! < extents[axis]!) break;
      sourceIndex -= steps[axis]! * extents[axis]!;
      counter[axis] = 0;
      axis--;
    }
  }
}
