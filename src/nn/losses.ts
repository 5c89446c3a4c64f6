// Loss names as Keras and tfjs-layers spell them, resolved to loss ops, the metric 'accuracy'
// means for each (Keras picks sparse, categorical or binary accuracy from the loss), and whether
// a softmax output may be fused into the loss (trained from logits, as Keras does).
import { fail } from '../errors.js';
import {
  categoricalCrossEntropy,
  labelValues,
  meanSquaredError,
  softmaxCrossEntropy,
  sparseCategoricalCrossEntropy,
  sparseSoftmaxCrossEntropy,
} from '../ops/nn/losses.js';
import type { Tensor } from '../tensor/tensor.js';

export type LossName = 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';
export type LossFunction = (predictions: Tensor, targets: Tensor) => Tensor;
/** How 'accuracy' compares predictions with targets. */
export type AccuracyKind = 'sparse' | 'categorical' | 'binary';

export interface ResolvedLoss {
  readonly name: string;
  /** Loss from the model's output (probabilities after a softmax). */
  readonly fromOutput: LossFunction;
  /** Loss from logits, when a final softmax can be fused into it. */
  readonly fromLogits: LossFunction | null;
  readonly accuracy: AccuracyKind;
}

const LOSSES: Record<LossName, ResolvedLoss> = {
  sparseCategoricalCrossentropy: {
    name: 'sparseCategoricalCrossentropy',
    fromOutput: sparseCategoricalCrossEntropy,
    fromLogits: sparseSoftmaxCrossEntropy,
    accuracy: 'sparse',
  },
  categoricalCrossentropy: {
    name: 'categoricalCrossentropy',
    fromOutput: categoricalCrossEntropy,
    fromLogits: softmaxCrossEntropy,
    accuracy: 'categorical',
  },
  meanSquaredError: { name: 'meanSquaredError', fromOutput: meanSquaredError, fromLogits: null, accuracy: 'binary' },
};

const ALIASES: Record<string, LossName> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
};

/** A loss by name (tfjs camelCase or Keras snake_case), or a function (predictions, targets) → scalar. */
export function resolveLoss(loss: LossName | string | LossFunction): ResolvedLoss {
  if (typeof loss === 'function')
    return { name: loss.name || 'custom', fromOutput: loss, fromLogits: null, accuracy: 'binary' };
  const name = typeof loss === 'string' ? (ALIASES[loss] ?? loss) : loss;
  if (typeof name !== 'string' || !Object.hasOwn(LOSSES, name)) {
    fail(
      'compile',
      'loss',
      `must be a function or one of ${Object.keys(LOSSES)
        .map((key) => `'${key}'`)
        .join(', ')}`,
      loss,
    );
  }
  return LOSSES[name as LossName];
}

/** How many rows of a batch the prediction gets right, by the accuracy kind. No JS arrays per call. */
export function countCorrect(kind: AccuracyKind, predictions: Tensor, targets: Tensor): number {
  const rows = predictions.shape[0] ?? 0;
  const width = rows === 0 ? 0 : predictions.size / rows;
  const values = predictions.values;
  if (kind === 'binary') {
    const wanted = targets.values;
    let correct = 0;
    for (let index = 0; index < values.length; index++) if ((values[index]! > 0.5 ? 1 : 0) === wanted[index]) correct++;
    return width === 0 ? 0 : correct / width;
  }
  const labels = kind === 'sparse' ? labelValues('accuracy', targets, rows, width) : targets.values;
  let correct = 0;
  for (let row = 0; row < rows; row++) {
    const predicted = argmaxOfRow(values, row * width, width);
    const label = kind === 'sparse' ? labels[row]! : argmaxOfRow(labels as Float32Array, row * width, width);
    if (predicted === label) correct++;
  }
  return correct;
}

/** Index of the largest value in a row; the first of ties, as tf.argMax. */
function argmaxOfRow(values: Float32Array, start: number, width: number): number {
  let best = 0;
  for (let column = 1; column < width; column++) if (values[start + column]! > values[start + best]!) best = column;
  return best;
}
