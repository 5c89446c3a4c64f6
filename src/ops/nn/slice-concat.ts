// slice and concat, as tf.slice and tf.concat, for float32 and int32 tensors. Both copy boxes of
// rows (the last axis is contiguous); their backward passes copy the same boxes the other way:
// slice's gradient is zero outside the box, concat's is cut back into one piece per input.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import type { Shape } from '../../tensor/tensor.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkAnyTensor, checkAxis, describeShape, elementsOf } from '../checks.js';

/**
 * Calls `visit(rowIndex, offset)` for each row of the box at `begin` of extents `size` inside a
 * tensor of `shape`: `offset` is where the row starts in the tensor, `rowIndex` counts the box's rows.
 */
function forEachBoxRow(
  shape: Shape,
  begin: readonly number[],
  size: readonly number[],
  visit: (rowIndex: number, offset: number) => void,
): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) [strides[axis], stride] = [stride, stride * shape[axis]!];
  const rows = size.slice(0, -1).reduce((total, extent) => total * extent, 1);
  if (rows === 0 || size[rank - 1] === 0) return;
  const counter = new Array<number>(rank - 1).fill(0);
  for (let rowIndex = 0; rowIndex < rows; rowIndex++) {
    let offset = begin[rank - 1]!;
    for (let axis = 0; axis < rank - 1; axis++) offset += (begin[axis]! + counter[axis]!) * strides[axis]!;
    visit(rowIndex, offset);
    for (let axis = rank - 2; axis >= 0 && ++counter[axis]! === size[axis]; axis--) counter[axis] = 0;
  }
}

/** TensorFlow.js's reading of begin and size: a number is the first axis; missing axes start at 0, run to the end. */
function resolveBox(input: Tensor, begin: unknown, size: unknown): { begin: number[]; size: number[] } {
  const rank = input.rank;
  const starts = typeof begin === 'number' ? [begin] : begin;
  const extents = size === undefined ? [] : typeof size === 'number' ? [size] : size;
  if (!Array.isArray(starts) || starts.length > rank)
    fail('slice', 'begin', `must be an integer or a list of at most ${rank} integers`, begin);
  if (!Array.isArray(extents) || extents.length > rank)
    fail('slice', 'size', `must be an integer or a list of at most ${rank} integers (-1: to the end)`, size);
  const resolvedBegin = input.shape.map((_, axis) => (starts[axis] as number | undefined) ?? 0);
  const resolvedSize = input.shape.map((extent, axis) => {
    const start = resolvedBegin[axis]!;
    if (!Number.isInteger(start) || start < 0 || start > extent)
      fail('slice', 'begin', `must hold integers in [0, extent] along each axis of ${describeShape(input)}`, begin);
    const wanted = (extents[axis] as number | undefined) ?? -1;
    if (!Number.isInteger(wanted) || wanted < -1 || (wanted !== -1 && start + wanted > extent)) {
      fail('slice', 'size', `must hold -1 or integers with begin + size <= extent, for ${describeShape(input)}`, size);
    }
    return wanted === -1 ? extent - start : wanted;
  });
  return { begin: resolvedBegin, size: resolvedSize };
}

/**
 * The box of `x` starting at `begin` with extents `size` (-1: to the end of that axis); as tf.slice.
 * @example slice(x, [0, 1], [2, -1]) // rows 0-1, columns from 1 on
 */
export function slice(x: Tensor, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const input = checkAnyTensor('slice', 'x', x);
  if (input.rank === 0) fail('slice', 'x', 'must have rank at least 1', describeShape(input));
  const box = resolveBox(input, begin, size);
  const output = Tensor.allocate(box.size, input.dtype);
  const width = box.size[input.rank - 1]!;
  const [source, target] = [elementsOf(input), elementsOf(output)];
  forEachBoxRow(input.shape, box.begin, box.size, (row, offset) =>
    target.set(source.subarray(offset, offset + width), row * width),
  );
  recordGrad('slice', output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    const [result, grad] = [gradInput.values, gradOutput.values];
    result.fill(0);
    forEachBoxRow(input.shape, box.begin, box.size, (row, offset) =>
      result.set(grad.subarray(row * width, (row + 1) * width), offset),
    );
    return [gradInput];
  });
  return output;
}

function checkConcatenable(tensors: unknown, axis: unknown): { inputs: Tensor[]; along: number } {
  if (!Array.isArray(tensors) || tensors.length === 0)
    fail('concat', 'tensors', 'must be a non-empty list of tensors', tensors);
  const inputs = tensors.map((tensor, index) => checkAnyTensor('concat', `tensors[${index}]`, tensor));
  const first = inputs[0]!;
  if (first.rank === 0)
    fail('concat', 'tensors[0]', 'must have rank at least 1 (scalars cannot be joined)', describeShape(first));
  const along = checkAxis('concat', 'axis', axis, first.rank);
  inputs.forEach((tensor, index) => {
    if (tensor.dtype !== first.dtype)
      fail('concat', `tensors[${index}]`, `must be ${first.dtype} like tensors[0]`, tensor.dtype);
    const matches =
      tensor.rank === first.rank &&
      tensor.shape.every((extent, axis) => axis === along || extent === first.shape[axis]);
    if (!matches) {
      fail(
        'concat',
        `tensors[${index}]`,
        `must have the shape of tensors[0] [${first.shape.join(', ')}] except along axis ${along}`,
        describeShape(tensor),
      );
    }
  });
  return { inputs, along };
}

/**
 * The tensors joined along `axis` (default 0); every other axis must match; as tf.concat.
 * @example concat([a, b], -1) // [2, 3] and [2, 4] → [2, 7]
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const { inputs, along } = checkConcatenable(tensors, axis);
  const shape = [...inputs[0]!.shape];
  shape[along] = inputs.reduce((total, tensor) => total + tensor.shape[along]!, 0);
  const output = Tensor.allocate(shape, inputs[0]!.dtype);
  const outer = shape.slice(0, along).reduce((total, extent) => total * extent, 1);
  const blocks = inputs.map((tensor) => tensor.size / Math.max(outer, 1)); // each input's run per outer index
  const rowWidth = blocks.reduce((total, block) => total + block, 0);
  const starts = blocks.map((_, index) => blocks.slice(0, index).reduce((total, block) => total + block, 0));
  const target = elementsOf(output);
  inputs.forEach((tensor, index) => {
    const source = elementsOf(tensor);
    const block = blocks[index]!;
    for (let row = 0; row < outer; row++)
      target.set(source.subarray(row * block, (row + 1) * block), row * rowWidth + starts[index]!);
  });
  recordGrad('concat', output, inputs, (gradOutput) =>
    inputs.map((tensor, index) => {
      if (!tensor.requiresGrad) return null;
      const gradInput = Tensor.allocate(tensor.shape);
      const [result, grad, block] = [gradInput.values, gradOutput.values, blocks[index]!];
      for (let row = 0; row < outer; row++) {
        const from = row * rowWidth + starts[index]!;
        result.set(grad.subarray(from, from + block), row * block);
      }
      return gradInput;
    }),
  );
  return output;
}
