// Loss names as Keras and tfjs-layers spell them, resolved to loss ops, the metric 'accuracy'
// means for each (Keras picks sparse, categorical or binary accuracy from the loss), and which
// output activation (softmax, sigmoid) may be fused into the loss (trained from logits, as Keras does).
import { fail } from '../errors.js';
import { nearestKey } from '../ops/checks.js';
import {
  categoricalCrossEntropy,
  meanSquaredError,
  softmaxCrossEntropy,
  sparseCategoricalCrossEntropy,
  sparseSoftmaxCrossEntropy,
} from '../ops/nn/losses.js';
import { binaryCrossentropy, meanAbsoluteError } from '../ops/nn/pointwise-losses.js';
import type { Tensor } from '../tensor/tensor.js';

export type LossName =
  | 'sparseCategoricalCrossentropy'
  | 'categoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError';
/** Every name compile accepts for a loss: tfjs-layers' camelCase, Keras's snake_case and short names. */
export type LossSpelling =
  | LossName
  | 'sparse_categorical_crossentropy'
  | 'categorical_crossentropy'
  | 'binary_crossentropy'
  | 'mean_squared_error'
  | 'mean_absolute_error'
  | 'mse'
  | 'MSE'
  | 'mae'
  | 'MAE';
export type LossFunction = (predictions: Tensor, targets: Tensor) => Tensor;
/** How 'accuracy' compares predictions with targets. */
export type AccuracyKind = 'sparse' | 'categorical' | 'binary';

export interface ResolvedLoss {
  readonly name: string;
  /** Loss from the model's output (probabilities after a softmax). */
  readonly fromOutput: LossFunction;
  /** Loss from logits, when a final activation can be fused into it. */
  readonly fromLogits: LossFunction | null;
  /** The output activation fromLogits undoes ('softmax' or 'sigmoid'). */
  readonly logitsActivation: 'softmax' | 'sigmoid';
  readonly accuracy: AccuracyKind;
}

const LOSSES: Record<LossName, ResolvedLoss> = {
  sparseCategoricalCrossentropy: {
    name: 'sparseCategoricalCrossentropy',
    fromOutput: sparseCategoricalCrossEntropy,
    fromLogits: sparseSoftmaxCrossEntropy,
    logitsActivation: 'softmax',
    accuracy: 'sparse',
  },
  categoricalCrossentropy: {
    name: 'categoricalCrossentropy',
    fromOutput: categoricalCrossEntropy,
    fromLogits: softmaxCrossEntropy,
    logitsActivation: 'softmax',
    accuracy: 'categorical',
  },
  binaryCrossentropy: {
    name: 'binaryCrossentropy',
    fromOutput: (predictions, targets) => binaryCrossentropy(predictions, targets),
    fromLogits: (logits, targets) => binaryCrossentropy(logits, targets, { fromLogits: true }),
    logitsActivation: 'sigmoid',
    accuracy: 'binary',
  },
  meanSquaredError: unfused('meanSquaredError', meanSquaredError),
  meanAbsoluteError: unfused('meanAbsoluteError', meanAbsoluteError),
};

function unfused(name: string, loss: LossFunction): ResolvedLoss {
  return { name, fromOutput: loss, fromLogits: null, logitsActivation: 'softmax', accuracy: 'binary' };
}

const ALIASES: Record<string, LossName> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  MSE: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  MAE: 'meanAbsoluteError',
};

/** A loss by name (tfjs camelCase or Keras snake_case), or a function (predictions, targets) → scalar. */
export function resolveLoss(loss: LossSpelling | string | LossFunction): ResolvedLoss {
  if (typeof loss === 'function') return unfused(loss.name || 'custom', loss);
  const name = typeof loss === 'string' && Object.hasOwn(ALIASES, loss) ? ALIASES[loss]! : loss;
  if (typeof name !== 'string' || !Object.hasOwn(LOSSES, name)) {
    const known = [...Object.keys(LOSSES), ...Object.keys(ALIASES)];
    const nearest = typeof loss === 'string' ? nearestKey(loss, known) : null;
    const rule =
      nearest === null
        ? `must be a function or one of ${known.map((key) => `'${key}'`).join(', ')}`
        : `must be a function or a loss name; did you mean '${nearest}'?`;
    fail('compile', 'loss', rule, loss);
  }
  return LOSSES[name as LossName];
}
