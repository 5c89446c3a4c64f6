// NumPy's broadcasting, as TensorFlow.js follows it: shapes are aligned at their last axes, and an
// axis of extent 1 (or a missing leading axis) repeats to match the other. The element-wise ops map
// each output element to the element of each operand it reads; gradients sum back along that map.
import { fail } from '../../errors.js';
import type { Shape } from '../../tensor/tensor.js';
import { sizeOf, Tensor } from '../../tensor/tensor.js';

/** The broadcast shape of two shapes; throws naming both when an axis disagrees. */
export function broadcastShapes(op: string, left: Shape, right: Shape): number[] {
  const rank = Math.max(left.length, right.length);
  const shape = new Array<number>(rank);
  for (let axis = 0; axis < rank; axis++) {
    const leftExtent = left[axis - rank + left.length] ?? 1;
    const rightExtent = right[axis - rank + right.length] ?? 1;
    if (leftExtent !== rightExtent && leftExtent !== 1 && rightExtent !== 1) {
      fail(
        op,
        'b',
        `must broadcast against a's shape [${left.join(', ')}] (each axis, aligned from the last, equal or 1)`,
        `shape [${right.join(', ')}]`,
      );
    }
    shape[axis] = leftExtent === 1 ? rightExtent : leftExtent;
  }
  return shape;
}

/**
 * For each element of `outputShape`, the index of the element of `shape` it reads; null when the
 * shapes are equal (the identity map).
 */
export function operandIndices(shape: Shape, outputShape: Shape): Int32Array | null {
  if (shape.length === outputShape.length && shape.every((extent, axis) => extent === outputShape[axis])) return null;
  const rank = outputShape.length;
  const offset = rank - shape.length;
  const steps = new Int32Array(rank); // the operand's stride per output axis; 0 where it repeats
  for (let axis = rank - 1, stride = 1; axis >= offset; axis--) {
    const extent = shape[axis - offset]!;
    steps[axis] = extent === 1 ? 0 : stride;
    stride *= extent;
  }
  const size = sizeOf(outputShape);
  const indices = new Int32Array(size);
  const counter = new Int32Array(rank);
  let index = 0;
  for (let outputIndex = 0; outputIndex < size; outputIndex++) {
    indices[outputIndex] = index;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      index += steps[axis]!;
      if (counter[axis]! < outputShape[axis]!) break;
      index -= steps[axis]! * outputShape[axis]!;
      counter[axis] = 0;
    }
  }
  return indices;
}

/** Sums a gradient of the output's shape down to an operand's shape along the broadcast map. */
export function sumToShape(gradient: Tensor, shape: Shape): Tensor {
  const indices = operandIndices(shape, gradient.shape);
  const result = Tensor.allocate(shape);
  const [target, source] = [result.values, gradient.values];
  if (indices === null) {
    target.set(source);
    return result;
  }
  target.fill(0);
  for (let index = 0; index < source.length; index++) target[indices[index]!]! += source[index]!;
  return result;
}
