// Row softmax (and its gradient, softmaxGradRow) and the sparse softmax cross-entropy kernels, the specification of the loss the seed
// CNN trains on: per row, log softmax shifted by the row's max (stable), the loss the mean over rows
// of −log p[label] summed in float64, the gradient (e^logp − onehot) · scale.
import type { LossKernels, SoftmaxRows } from '../types.js';

/** Writes softmax (or log-softmax) of each row of `source` into `target`, shifting by the row max for stability. */
export function softmaxRows(
  source: Float32Array,
  target: Float32Array,
  rows: number,
  width: number,
  log: boolean,
): void {
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    let largest = -Infinity;
    for (let column = 0; column < width; column++) largest = Math.max(largest, source[start + column]!);
    if (largest === -Infinity) largest = 0; // a row of -Infinity: softmax is NaN as in TensorFlow
    let total = 0;
    for (let column = 0; column < width; column++) total += Math.exp(source[start + column]! - largest);
    const logTotal = Math.log(total);
    for (let column = 0; column < width; column++) {
      const shifted = source[start + column]! - largest;
      target[start + column] = log ? shifted - logTotal : Math.exp(shifted - logTotal);
    }
  }
}

/** One row from `start`: softmax: dx = y ⊙ (g − Σ g·y); logSoftmax: dx = g − e^y ⊙ Σ g (softmax = e^y). */
export function softmaxGradRow(
  grad: Float32Array,
  saved: Float32Array,
  result: Float32Array,
  start: number,
  end: number,
  log: boolean,
): void {
  let total = 0;
  for (let column = start; column < end; column++) total += log ? grad[column]! : grad[column]! * saved[column]!;
  for (let column = start; column < end; column++) {
    result[column] = log ? grad[column]! - Math.exp(saved[column]!) * total : saved[column]! * (grad[column]! - total);
  }
}

/**
 * logProbabilities = log softmax of each row of logits; loss[0] = mean over rows of
 * −logProbabilities[row, labels[row]] (0 without rows). Labels are valid class indices (the op checks).
 */
export function sparseSoftmaxCrossEntropyForward(
  logits: Float32Array,
  labels: Float32Array | Int32Array,
  logProbabilities: Float32Array,
  loss: Float32Array,
  { rows, classes }: SoftmaxRows,
): void {
  softmaxRows(logits, logProbabilities, rows, classes, true);
  let total = 0;
  for (let row = 0; row < rows; row++) total -= logProbabilities[row * classes + labels[row]!]!;
  loss[0] = rows === 0 ? 0 : total / rows;
}

/** gradLogits = (e^logProbabilities − onehot(labels)) · scale (scale: the loss's gradient over the rows). */
export function sparseSoftmaxCrossEntropyBackward(
  logProbabilities: Float32Array,
  labels: Float32Array | Int32Array,
  gradLogits: Float32Array,
  scale: number,
  { rows, classes }: SoftmaxRows,
): void {
  for (let index = 0; index < rows * classes; index++) gradLogits[index] = Math.exp(logProbabilities[index]!) * scale;
  for (let row = 0; row < rows; row++) gradLogits[row * classes + labels[row]!]! -= scale;
}

export const referenceLossKernels: LossKernels = {
  sparseSoftmaxCrossEntropyForward,
  sparseSoftmaxCrossEntropyBackward,
};
