// The reference kernels of a training step's bookkeeping (the specification the GPU kernels are
// tested against): the accuracy metric's argmax-compare count, the row gather that cuts a batch, a
// dense layer's bias add and its gradient's column sums, softmax rows, an elementwise add, and
// sigmoid and tanh forward and backward (float64, rounded to float32 once).
import type { StepKernels } from '../types.js';
import { softmaxGradRow, softmaxRows } from './softmax-loss.js';

/**
 * Index of the largest value in a row by `>`: the first of ties (as tf.argMax); a NaN never wins,
 * and a NaN in column 0 is never beaten (nothing compares greater than it).
 */
export function argmaxOfRow(values: Float32Array, start: number, width: number): number {
  let best = 0;
  for (let column = 1; column < width; column++) if (values[start + column]! > values[start + best]!) best = column;
  return best;
}

export const referenceStepKernels: StepKernels = {
  argmaxCompare(predictions, labels, previous, counts, { rows, classes }) {
    let correct = 0;
    for (let row = 0; row < rows; row++)
      if (argmaxOfRow(predictions, row * classes, classes) === labels[row]) correct++;
    counts[0] = correct;
    counts[1] = previous[1]! + correct;
  },
  gatherRows(source, order, output, { start, count, rowSize }) {
    if (order === null) {
      output.set(source.subarray(start * rowSize, (start + count) * rowSize));
      return;
    }
    // One native copy per row: a JS element loop cost ~0.5 ms per MNIST batch, several times more.
    for (let row = 0; row < count; row++) {
      const sourceStart = order[start + row]! * rowSize;
      output.set(source.subarray(sourceStart, sourceStart + rowSize), row * rowSize);
    }
  },
  biasAdd(values, bias, { rows, columns }) {
    for (let row = 0; row < rows; row++)
      for (let column = 0; column < columns; column++) values[row * columns + column]! += bias[column]!;
  },
  columnSum(matrix, sums, { rows, columns }) {
    for (let column = 0; column < columns; column++) {
      let total = 0;
      for (let row = 0; row < rows; row++) total += matrix[row * columns + column]!;
      sums[column] = total;
    }
  },
  softmaxForward(input, output, { rows, classes }) {
    softmaxRows(input, output, rows, classes, false);
  },
  softmaxBackward(output, gradOutput, gradInput, { rows, classes }) {
    for (let start = 0; start < rows * classes; start += classes)
      softmaxGradRow(gradOutput, output, gradInput, start, start + classes, false);
  },
  addForward(left, right, sum) {
    for (let index = 0; index < sum.length; index++) sum[index] = left[index]! + right[index]!;
  },
  sigmoidForward(input, output) {
    for (let index = 0; index < output.length; index++) output[index] = 1 / (1 + Math.exp(-input[index]!));
  },
  sigmoidBackward(output, gradOutput, gradInput) {
    for (let index = 0; index < gradInput.length; index++) {
      const saved = output[index]!;
      gradInput[index] = gradOutput[index]! * saved * (1 - saved);
    }
  },
  tanhForward(input, output) {
    for (let index = 0; index < output.length; index++) output[index] = Math.tanh(input[index]!);
  },
  tanhBackward(output, gradOutput, gradInput) {
    for (let index = 0; index < gradInput.length; index++)
      gradInput[index] = gradOutput[index]! * (1 - output[index]! ** 2);
  },
};
