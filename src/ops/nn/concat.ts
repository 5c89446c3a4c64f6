// concat: tensors joined along one axis (Keras's Concatenate, causal padding of Conv1D). Each
// input's gradient is its own slab of the output gradient, copied back out. Internal: callers pass
// the axis, so a public concat (tf.concat's, default axis 0) can replace it one for one.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';

/** How the inputs lie in the output: rows outside the axis, and each input's run of values per row. */
interface ConcatPlan {
  readonly outputShape: Shape;
  readonly rows: number;
  readonly rowLength: number;
  readonly runs: readonly number[];
}

function planConcat(inputs: readonly Tensor[], axis: number): ConcatPlan {
  const first = inputs[0]!;
  const rank = first.rank;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    fail('concat', 'axis', `must be an integer in [${-rank}, ${rank})`, axis);
  const resolved = axis < 0 ? axis + rank : axis;
  inputs.forEach((input, index) => {
    const matches =
      input.rank === rank && input.shape.every((extent, other) => other === resolved || extent === first.shape[other]);
    if (!matches) {
      fail(
        'concat',
        `tensors[${index}]`,
        `must have the shape of tensors[0] ([${first.shape.join(', ')}]) except along axis ${resolved}`,
        `shape [${input.shape.join(', ')}]`,
      );
    }
  });
  const rows = first.shape.slice(0, resolved).reduce((total, extent) => total * extent, 1);
  const inner = first.shape.slice(resolved + 1).reduce((total, extent) => total * extent, 1);
  const runs = inputs.map((input) => input.shape[resolved]! * inner);
  const extent = inputs.reduce((total, input) => total + input.shape[resolved]!, 0);
  const outputShape = first.shape.map((size, other) => (other === resolved ? extent : size));
  return { outputShape, rows, rowLength: runs.reduce((total, run) => total + run, 0), runs };
}

/** Copies run `index` of every row between the joined layout and one input's own layout. */
function copyRuns(plan: ConcatPlan, index: number, joined: Float32Array, own: Float32Array, toJoined: boolean): void {
  const run = plan.runs[index]!;
  const offset = plan.runs.slice(0, index).reduce((total, other) => total + other, 0);
  for (let row = 0; row < plan.rows; row++) {
    const start = row * plan.rowLength + offset;
    if (toJoined) joined.set(own.subarray(row * run, (row + 1) * run), start);
    else own.set(joined.subarray(start, start + run), row * run);
  }
}

/**
 * Joins float32 tensors along `axis` (negative counts from the end); all other extents must match.
 * @example concat([a, b], -1) // [2, 5, 3] and [2, 5, 4] → [2, 5, 7]
 */
export function concat(tensors: readonly Tensor[], axis: number): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    fail('concat', 'tensors', 'must be a non-empty list of tensors', tensors);
  tensors.forEach((input, index) => checkTensor('concat', `tensors[${index}]`, input));
  const plan = planConcat(tensors, axis);
  const output = Tensor.allocate(plan.outputShape);
  tensors.forEach((input, index) => copyRuns(plan, index, output.values, input.values, true));
  recordGrad('concat', output, tensors, (gradOutput) =>
    tensors.map((input, index) => {
      if (!input.requiresGrad) return null;
      const gradInput = Tensor.allocate(input.shape);
      copyRuns(plan, index, gradOutput.values, gradInput.values, false);
      return gradInput;
    }),
  );
  return output;
}
