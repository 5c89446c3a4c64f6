// reshape, flatten and transpose. reshape and flatten are views over the same bytes; transpose
// copies. Their backward passes undo them: reshape back, transpose by the inverse permutation.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
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
  permuteInto(input.values, output.values, input.shape, order);
  recordGrad('transpose', output, [input], (gradOutput) => {
    const inverse = new Array<number>(rank);
    order.forEach((axis, index) => (inverse[axis] = index));
    const gradInput = Tensor.allocate(input.shape);
    permuteInto(gradOutput.values, gradInput.values, output.shape, inverse);
    return [gradInput];
  });
  return output;
}

/** Walks the output in order, stepping through the input by the permuted strides (an odometer). */
function permuteInto(source: Float32Array, target: Float32Array, shape: Shape, order: readonly number[]): void {
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
