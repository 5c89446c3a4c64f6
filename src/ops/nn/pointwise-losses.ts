// Losses that are the mean of one term per element, with Keras's semantics (the mean over the last
// axis, then over the batch, is the mean over every element since rows are equally long):
// - binaryCrossentropy(probabilities, targets): −(t·log p + (1 − t)·log(1 − p)) with p clipped to
//   [ε, 1 − ε], ε = 1e-7, as Keras 3 and tfjs-layers (tf.keras 2 also added ε inside the logarithms);
//   with { fromLogits: true }, the stable max(x, 0) − x·t + log(1 + e^−|x|) on logits x;
// - meanAbsoluteError(predictions, targets): |p − t|.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkKnownOptions, checkTensor, optionKeys } from '../checks.js';
import { checkSameShape, PROBABILITY_EPSILON, scalar } from './losses.js';

export interface BinaryCrossentropyOptions {
  /** Whether the predictions are logits (before a sigmoid) rather than probabilities; default false. */
  fromLogits?: boolean;
}

const BINARY_CROSSENTROPY_KEYS = optionKeys<BinaryCrossentropyOptions>({ fromLogits: true });

/** Per element: the loss term, ∂term/∂prediction and ∂term/∂target. */
interface PointwiseRule {
  readonly term: (prediction: number, target: number) => number;
  readonly gradPrediction: (prediction: number, target: number) => number;
  readonly gradTarget: (prediction: number, target: number) => number;
}

// The bounds as float32 holds them, as Keras and tfjs-layers clip float32 tensors: 1 − 1e-7 rounds
// to 1 − 1.19e-7, so a probability of 1 with target 0 costs −log(1.19e-7) as theirs, not −log(1e-7).
const [LOW, HIGH] = [Math.fround(PROBABILITY_EPSILON), Math.fround(1 - PROBABILITY_EPSILON)];
const clip = (value: number): number => Math.min(Math.max(value, LOW), HIGH);
const isClipped = (value: number): boolean => value < LOW || value > HIGH;

const FROM_PROBABILITIES: PointwiseRule = {
  term: (p, t) => -(t * Math.log(clip(p)) + (1 - t) * Math.log(1 - clip(p))),
  // A clipped probability is a constant of p: no gradient flows through it.
  gradPrediction: (p, t) => (isClipped(p) ? 0 : (1 - t) / (1 - p) - t / p),
  gradTarget: (p) => Math.log(1 - clip(p)) - Math.log(clip(p)),
};

const FROM_LOGITS: PointwiseRule = {
  term: (x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))),
  gradPrediction: (x, t) => 1 / (1 + Math.exp(-x)) - t,
  gradTarget: (x) => -x,
};

const ABSOLUTE: PointwiseRule = {
  term: (p, t) => Math.abs(p - t),
  gradPrediction: (p, t) => Math.sign(p - t),
  gradTarget: (p, t) => Math.sign(t - p),
};

function pointwiseLoss(op: string, rule: PointwiseRule, predictions: Tensor, targets: Tensor): Tensor {
  checkTensor(op, 'predictions', predictions);
  checkSameShape(op, predictions, targets);
  const [left, right] = [predictions.values, targets.values];
  let total = 0;
  for (let index = 0; index < left.length; index++) total += rule.term(left[index]!, right[index]!);
  const count = predictions.size;
  const output = scalar(count === 0 ? 0 : total / count);
  recordGrad(op, output, [predictions, targets], (gradOutput) => {
    const scale = gradOutput.values[0]! / count;
    const gradient = (local: PointwiseRule['gradTarget']): Tensor => {
      const result = Tensor.allocate(predictions.shape);
      const [target, left, right] = [result.values, predictions.values, targets.values];
      for (let index = 0; index < target.length; index++) target[index] = local(left[index]!, right[index]!) * scale;
      return result;
    };
    return [
      predictions.requiresGrad ? gradient(rule.gradPrediction) : null,
      targets.requiresGrad ? gradient(rule.gradTarget) : null,
    ];
  });
  return output;
}

/**
 * Keras's binary cross-entropy, the mean over every element; from probabilities (clipped to
 * [1e-7, 1 − 1e-7]) or, with `fromLogits`, from logits (stable, unclipped).
 * @example binaryCrossentropy(sigmoid(logits), labels); binaryCrossentropy(logits, labels, { fromLogits: true })
 */
export function binaryCrossentropy(
  predictions: Tensor,
  targets: Tensor,
  options: BinaryCrossentropyOptions = {},
): Tensor {
  if (options === null || typeof options !== 'object')
    fail('binaryCrossentropy', 'options', 'must be an object', options);
  checkKnownOptions('binaryCrossentropy', options, BINARY_CROSSENTROPY_KEYS);
  const fromLogits = options.fromLogits ?? false;
  if (typeof fromLogits !== 'boolean') fail('binaryCrossentropy', 'fromLogits', 'must be a boolean', fromLogits);
  return pointwiseLoss('binaryCrossentropy', fromLogits ? FROM_LOGITS : FROM_PROBABILITIES, predictions, targets);
}

/** The same op under the spelling of poolkit's other cross-entropies (categoricalCrossEntropy). */
export const binaryCrossEntropy = binaryCrossentropy;

/**
 * Mean over every element of |predictions − targets|; the gradient at equality is 0.
 * @example meanAbsoluteError(predictions, targets)
 */
export function meanAbsoluteError(predictions: Tensor, targets: Tensor): Tensor {
  return pointwiseLoss('meanAbsoluteError', ABSOLUTE, predictions, targets);
}
