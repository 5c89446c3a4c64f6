// Loss ops, each a scalar (shape []) mean over the batch, with Keras's semantics:
// - sparseSoftmaxCrossEntropy(logits, labels): fused and numerically stable, from logits;
// - softmaxCrossEntropy(logits, targets): the same with one-hot (or soft) targets;
// - categoricalCrossEntropy / sparseCategoricalCrossEntropy(probabilities, ...): Keras's
//   from_logits=False path: probabilities clipped to [1e-7, 1 − 1e-7] and renormalised per row;
// - meanSquaredError(predictions, targets): mean of (p − t)² over every element.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';
import { kernel } from '../../kernels/backend.js';
import { softmaxRows } from '../../kernels/reference/softmax-loss.js';
import { kernelLabels, labelValues } from './labels.js';

export { labelValues } from './labels.js';

/** Keras's backend epsilon, the clip of probabilities before a logarithm. */
export const PROBABILITY_EPSILON = 1e-7;

function rowsOf(op: string, name: string, input: Tensor): { rows: number; classes: number } {
  checkTensor(op, name, input);
  if (input.rank !== 2) fail(op, name, 'must have rank 2 [batch, classes]', `shape [${input.shape.join(', ')}]`);
  return { rows: input.shape[0]!, classes: input.shape[1]! };
}

function labelsOf(labels: Tensor): Float32Array | Int32Array {
  return labels.dtype === 'int32' ? labels.intValues : labels.values;
}

/** A new scalar (shape []) tensor holding `value`. */
export function scalar(value: number): Tensor {
  const result = Tensor.allocate([]);
  result.values[0] = value;
  return result;
}

/**
 * Mean over the batch of −log softmax(logits)[label], computed as logSumExp − logit (stable).
 * Backward: (softmax − onehot) / batch.
 * @example sparseSoftmaxCrossEntropy(logits, labels) // logits [128, 10], labels [128]
 */
export function sparseSoftmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const { rows, classes } = rowsOf('sparseSoftmaxCrossEntropy', 'logits', logits);
  const labelArray = kernelLabels('sparseSoftmaxCrossEntropy', labels, rows, classes);
  const logProbabilities = Tensor.allocate(logits.shape, 'float32', [logits]);
  const output = Tensor.allocate([], 'float32', [logits]);
  const shape = { rows, classes };
  kernel('sparseSoftmaxCrossEntropyForward')(
    logits.kernelValues,
    labelArray,
    logProbabilities.kernelValues,
    output.kernelValues,
    shape,
  );
  recordGrad('sparseSoftmaxCrossEntropy', output, [logits], (gradOutput) => {
    const scale = gradOutput.values[0]! / rows;
    const gradLogits = Tensor.allocate(logits.shape, 'float32', [logProbabilities]);
    // Views are taken after allocating: a growing heap may detach older ones.
    kernel('sparseSoftmaxCrossEntropyBackward')(
      logProbabilities.kernelValues,
      kernelLabels('sparseSoftmaxCrossEntropy', labels, rows, classes),
      gradLogits.kernelValues,
      scale,
      shape,
    );
    return [gradLogits];
  });
  return output;
}

/**
 * Mean over the batch of −Σ targets · log softmax(logits), from logits (stable).
 * Backward: (softmax · Σ targets − targets) / batch.
 */
export function softmaxCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const { rows, classes } = rowsOf('softmaxCrossEntropy', 'logits', logits);
  checkSameShape('softmaxCrossEntropy', logits, targets);
  const logProbabilities = Tensor.allocate(logits.shape);
  const saved = logProbabilities.values;
  softmaxRows(logits.values, saved, rows, classes, true);
  const target = targets.values;
  let total = 0;
  for (let index = 0; index < saved.length; index++) if (target[index] !== 0) total -= target[index]! * saved[index]!;
  const output = scalar(rows === 0 ? 0 : total / rows);
  recordGrad('softmaxCrossEntropy', output, [logits, targets], (gradOutput) => {
    const scale = gradOutput.values[0]! / rows;
    const gradLogits = Tensor.allocate(logits.shape);
    const [result, saved, target] = [gradLogits.values, logProbabilities.values, targets.values];
    for (let row = 0; row < rows; row++) {
      let mass = 0;
      for (let column = row * classes; column < (row + 1) * classes; column++) mass += target[column]!;
      for (let column = row * classes; column < (row + 1) * classes; column++) {
        result[column] = (Math.exp(saved[column]!) * mass - target[column]!) * scale;
      }
    }
    const gradTargets = targets.requiresGrad ? scaled(logProbabilities, -scale) : null;
    return [gradLogits, gradTargets];
  });
  return output;
}

/** Throws unless targets is a live float32 tensor of the predictions' shape. */
export function checkSameShape(op: string, predictions: Tensor, targets: Tensor): void {
  checkTensor(op, 'targets', targets);
  if (targets.shape.join() !== predictions.shape.join()) {
    fail(
      op,
      'targets',
      `must have the shape of the predictions [${predictions.shape.join(', ')}]`,
      `shape [${targets.shape.join(', ')}]`,
    );
  }
}

function scaled(source: Tensor, factor: number): Tensor {
  const result = Tensor.allocate(source.shape);
  const target = result.values;
  const values = source.values;
  for (let index = 0; index < target.length; index++) target[index] = values[index]! * factor;
  return result;
}

/**
 * Keras's categorical cross-entropy on probabilities: rows renormalised to sum 1, clipped to
 * [ε, 1 − ε], then mean over the batch of −Σ targets · log p. Clipped cells get no gradient.
 */
export function categoricalCrossEntropy(probabilities: Tensor, targets: Tensor): Tensor {
  const { rows, classes } = rowsOf('categoricalCrossEntropy', 'probabilities', probabilities);
  checkSameShape('categoricalCrossEntropy', probabilities, targets);
  const values = probabilities.values;
  const target = targets.values;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const sum = rowSum(values, row * classes, classes);
    for (let column = row * classes; column < (row + 1) * classes; column++) {
      if (target[column] !== 0) total -= target[column]! * Math.log(clip(values[column]! / sum));
    }
  }
  const output = scalar(rows === 0 ? 0 : total / rows);
  recordGrad('categoricalCrossEntropy', output, [probabilities, targets], (gradOutput) =>
    categoricalBackward(probabilities, targets, gradOutput.values[0]! / rows),
  );
  return output;
}

/**
 * With q = p / Σp: dL/dq_j = −t_j / q_j (0 where q_j is clipped), dL/dp_i = (dL/dq_i − Σ_j dL/dq_j·q_j) / Σp;
 * dL/dt_j = −log clip(q_j). `scale` is the output gradient over the batch size.
 */
function categoricalBackward(probabilities: Tensor, targets: Tensor, scale: number): (Tensor | null)[] {
  const [rows, classes] = probabilities.shape as [number, number];
  const gradProbabilities = Tensor.allocate(probabilities.shape);
  const gradTargets = targets.requiresGrad ? Tensor.allocate(targets.shape) : null;
  const [result, values, target] = [gradProbabilities.values, probabilities.values, targets.values];
  const targetResult = gradTargets?.values ?? null;
  for (let row = 0; row < rows; row++) {
    const start = row * classes;
    const sum = rowSum(values, start, classes);
    let weighted = 0;
    for (let column = start; column < start + classes; column++) {
      const normalised = values[column]! / sum;
      const slope = isClipped(normalised) ? 0 : -target[column]! / normalised;
      result[column] = slope;
      weighted += slope * normalised;
      if (targetResult !== null) targetResult[column] = -Math.log(clip(normalised)) * scale;
    }
    for (let column = start; column < start + classes; column++) {
      result[column] = ((result[column]! - weighted) / sum) * scale;
    }
  }
  return [gradProbabilities, gradTargets];
}

/**
 * Keras's sparse categorical cross-entropy on probabilities: clipped to [ε, 1 − ε], renormalised,
 * mean over the batch of −log p[label].
 */
export function sparseCategoricalCrossEntropy(probabilities: Tensor, labels: Tensor): Tensor {
  const { rows, classes } = rowsOf('sparseCategoricalCrossEntropy', 'probabilities', probabilities);
  const targets = labelValues('sparseCategoricalCrossEntropy', labels, rows, classes);
  const values = probabilities.values;
  let total = 0; // log Σ clip(p) − log clip(p[label]): Keras's log-then-renormalise
  for (let row = 0; row < rows; row++) {
    const start = row * classes;
    total += Math.log(clippedSum(values, start, classes)) - Math.log(clip(values[start + targets[row]!]!));
  }
  const output = scalar(rows === 0 ? 0 : total / rows);
  recordGrad('sparseCategoricalCrossEntropy', output, [probabilities], (gradOutput) => {
    const scale = gradOutput.values[0]! / rows;
    const gradProbabilities = Tensor.allocate(probabilities.shape);
    const [result, values, targets] = [gradProbabilities.values, probabilities.values, labelsOf(labels)];
    for (let row = 0; row < rows; row++) {
      const start = row * classes;
      const inverseSum = 1 / clippedSum(values, start, classes);
      for (let column = start; column < start + classes; column++) {
        const value = values[column]!;
        const own = column === start + targets[row]! ? 1 / value : 0;
        result[column] = isClipped(value) ? 0 : (inverseSum - own) * scale;
      }
    }
    return [gradProbabilities];
  });
  return output;
}

function clip(value: number): number {
  return Math.min(Math.max(value, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
}

function isClipped(value: number): boolean {
  return value < PROBABILITY_EPSILON || value > 1 - PROBABILITY_EPSILON;
}

function rowSum(values: Float32Array, start: number, width: number): number {
  let sum = 0;
  for (let column = start; column < start + width; column++) sum += values[column]!;
  return sum;
}

function clippedSum(values: Float32Array, start: number, width: number): number {
  let sum = 0;
  for (let column = start; column < start + width; column++) sum += clip(values[column]!);
  return sum;
}

/**
 * Mean over every element of (predictions − targets)².
 * @example meanSquaredError(predictions, targets)
 */
export function meanSquaredError(predictions: Tensor, targets: Tensor): Tensor {
  checkTensor('meanSquaredError', 'predictions', predictions);
  checkSameShape('meanSquaredError', predictions, targets);
  const left = predictions.values;
  const right = targets.values;
  let total = 0;
  for (let index = 0; index < left.length; index++) total += (left[index]! - right[index]!) ** 2;
  const count = predictions.size;
  const output = scalar(count === 0 ? 0 : total / count);
  recordGrad('meanSquaredError', output, [predictions, targets], (gradOutput) => {
    const scale = (2 * gradOutput.values[0]!) / count;
    const gradPredictions = Tensor.allocate(predictions.shape);
    const [result, left, right] = [gradPredictions.values, predictions.values, targets.values];
    for (let index = 0; index < result.length; index++) result[index] = (left[index]! - right[index]!) * scale;
    return [gradPredictions, targets.requiresGrad ? scaled(gradPredictions, -1) : null];
  });
  return output;
}
