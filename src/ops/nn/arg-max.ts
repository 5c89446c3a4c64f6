// argMax and argMin: the index of the largest (smallest) value along one axis, as an int32 tensor
// without that axis; as tf.argMax / tf.argMin. Of tied values the first wins (as TensorFlow.js).
// A NaN counts as the extreme (the first NaN wins), as NumPy and PyTorch do and as max() and min()
// propagate it; TensorFlow.js's CPU backend instead skips NaN unless it comes first.
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkAxis, checkTensor, describeShape } from '../checks.js';

function argExtreme(op: string, input: Tensor, axis: number, largest: boolean): Tensor {
  checkTensor(op, 'x', input);
  if (input.rank === 0) fail(op, 'x', 'must have rank at least 1', describeShape(input));
  const along = checkAxis(op, 'axis', axis, input.rank);
  const extent = input.shape[along]!;
  if (extent === 0) fail(op, 'x', `must not be empty along axis ${along}`, describeShape(input));
  const inner = input.shape.slice(along + 1).reduce((total, size) => total * size, 1);
  const outer = input.size / (extent * inner);
  const output = Tensor.allocate(
    input.shape.filter((_, index) => index !== along),
    'int32',
  );
  const [source, target] = [input.values, output.intValues];
  for (let outerIndex = 0; outerIndex < outer; outerIndex++) {
    for (let innerIndex = 0; innerIndex < inner; innerIndex++) {
      const start = outerIndex * extent * inner + innerIndex;
      let best = 0;
      let bestValue = source[start]!;
      for (let position = 1; position < extent && bestValue === bestValue; position++) {
        const value = source[start + position * inner]!;
        if (value !== value || (largest ? value > bestValue : value < bestValue)) [best, bestValue] = [position, value];
      }
      target[outerIndex * inner + innerIndex] = best;
    }
  }
  return output;
}

/**
 * Index of the largest value along `axis` (default 0), int32; no gradient.
 * @example argMax(probabilities, -1) // the predicted class of each row
 */
export function argMax(x: Tensor, axis = 0): Tensor {
  return argExtreme('argMax', x, axis, true);
}

/**
 * Index of the smallest value along `axis` (default 0), int32; no gradient.
 * @example argMin(distances, 1)
 */
export function argMin(x: Tensor, axis = 0): Tensor {
  return argExtreme('argMin', x, axis, false);
}
