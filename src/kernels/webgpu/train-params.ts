// Where the training kernels' words sit in a job's params block: after the pooling words (Param),
// the product's sizes, strides and flags, and the elementwise shaders' float constants.
import { Param } from './params.js';

/** Consecutive positions from `first`, each field taking its width in words; `count` is one past the last. */
function positionsFrom<Name extends string>(
  first: number,
  widths: Record<Name, number>,
): Record<Name | 'count', number> {
  const positions = {} as Record<Name | 'count', number>;
  let next = first;
  for (const [name, width] of Object.entries(widths) as [Name, number][]) {
    positions[name] = next;
    next += width;
  }
  positions.count = next;
  return positions;
}

/** Positions after the pooling block: the product's sizes, strides, flags and float constants. */
export const TrainParam = positionsFrom(Param.count, {
  rows: 1,
  depth: 1,
  columns: 1,
  aRow: 1,
  aInner: 1,
  bInner: 1,
  bColumn: 1,
  /** matmul: add to out; conv2dForward: add the bias; conv2dBackwardFilter: a bias row. */
  accumulate: 1,
  /** conv2dForward: relu of the output; conv2dBackwardFilter: mask gradOutput by the relu output. */
  relu: 1,
  outChannels: 1,
  /** Adam's stepRate, firstBlend, secondBlend, epsilon; SGD's learning rate, momentum, nesterov. */
  constants: 4,
  /** Slices of the inner dimension summed apart (then by productReduce), and the terms per slice. */
  slices: 1,
  sliceDepth: 1,
  /** Softmax cross-entropy: 1 when the labels are float32, 0 when int32. */
  labelsFloat: 1,
  /** RMSprop: 1 with a momentum slot, 2 centered (an average-gradient slot), or both. */
  updateSlots: 1,
});
