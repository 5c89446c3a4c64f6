// batchNormalization along one axis (Keras's BatchNormalization, axis −1 by default).
// Training: normalise by the batch's mean and biased variance over every other axis, and move the
// moving statistics in place: moving = moving·momentum + batch·(1 − momentum) (Keras 3; tf.keras 2's
// fused kernel used the unbiased variance there). Inference: normalise by the moving statistics.
// y = γ·(x − μ)/√(σ² + ε) + β; γ or β may be null (Keras's scale=False, center=False).
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkKnownOptions, checkOptions, checkTensor, describeShape, optionKeys } from '../checks.js';

export interface BatchNormOptions {
  gamma?: Tensor | null;
  beta?: Tensor | null;
  movingMean: Tensor;
  movingVariance: Tensor;
  /** Batch statistics (and moving-statistics updates) when true; moving statistics when false. */
  training: boolean;
  /** Default 0.99 (Keras's). */
  momentum?: number;
  /** Default 1e-3 (Keras's). */
  epsilon?: number;
  /** The feature axis; default −1 (channels last). */
  axis?: number;
}

const BATCH_NORM_KEYS = optionKeys<BatchNormOptions>({
  gamma: true,
  beta: true,
  movingMean: true,
  movingVariance: true,
  training: true,
  momentum: true,
  epsilon: true,
  axis: true,
});

interface Layout {
  channels: number;
  /** Elements between consecutive channels along the axis. */
  inner: number;
  /** Elements per channel. */
  count: number;
}

function layoutOf(input: Tensor, axisOption: number): Layout {
  const axis = axisOption < 0 ? input.rank + axisOption : axisOption;
  if (!Number.isInteger(axis) || axis < 0 || axis >= input.rank)
    fail('batchNormalization', 'axis', `must be an axis of the rank-${input.rank} input`, axisOption);
  const channels = input.shape[axis]!;
  const inner = input.shape.slice(axis + 1).reduce((total, extent) => total * extent, 1);
  return { channels, inner, count: channels === 0 ? 0 : input.size / channels };
}

function checkVector(name: string, value: unknown, channels: number): Tensor {
  const checked = checkTensor('batchNormalization', name, value);
  if (checked.size !== channels || checked.rank !== 1)
    fail('batchNormalization', name, `must have shape [${channels}]`, describeShape(checked));
  return checked;
}

/** Per-channel sums of `values` (and of values·weights when given), into float64 arrays. */
function channelSums(values: Float32Array, layout: Layout, weights: Float32Array | null): Float64Array {
  const sums = new Float64Array(layout.channels);
  for (let index = 0; index < values.length; index++) {
    const channel = Math.floor(index / layout.inner) % layout.channels;
    sums[channel]! += weights === null ? values[index]! : values[index]! * weights[index]!;
  }
  return sums;
}

/**
 * Batch normalization; see the file comment for the semantics.
 * @example batchNormalization(x, { gamma, beta, movingMean, movingVariance, training: true })
 */
export function batchNormalization(input: Tensor, options: BatchNormOptions): Tensor {
  checkTensor('batchNormalization', 'input', input);
  const checked = checkOptions('batchNormalization', options, true);
  checkKnownOptions('batchNormalization', checked, BATCH_NORM_KEYS);
  const layout = layoutOf(input, checked.axis ?? -1);
  const { momentum = 0.99, epsilon = 1e-3, training } = checked;
  if (typeof training !== 'boolean') fail('batchNormalization', 'training', 'must be a boolean', training);
  if (!(momentum >= 0 && momentum <= 1)) fail('batchNormalization', 'momentum', 'must be in [0, 1]', momentum);
  if (!(epsilon > 0)) fail('batchNormalization', 'epsilon', 'must be positive', epsilon);
  const gamma = checked.gamma ? checkVector('gamma', checked.gamma, layout.channels) : null;
  const beta = checked.beta ? checkVector('beta', checked.beta, layout.channels) : null;
  const movingMean = checkVector('movingMean', checked.movingMean, layout.channels);
  const movingVariance = checkVector('movingVariance', checked.movingVariance, layout.channels);
  const { mean, variance } = training
    ? batchMoments(input.values, layout)
    : { mean: Float64Array.from(movingMean.values), variance: Float64Array.from(movingVariance.values) };
  if (training) moveStatistics(movingMean.values, movingVariance.values, mean, variance, momentum);
  const inverseStd = variance.map((value) => 1 / Math.sqrt(value + epsilon));
  const normalized = Tensor.allocate(input.shape);
  const output = Tensor.allocate(input.shape);
  const [source, xhat, target] = [input.values, normalized.values, output.values];
  const [scale, shift] = [gamma?.values ?? null, beta?.values ?? null];
  for (let index = 0; index < source.length; index++) {
    const channel = Math.floor(index / layout.inner) % layout.channels;
    xhat[index] = (source[index]! - mean[channel]!) * inverseStd[channel]!;
    target[index] = xhat[index]! * (scale === null ? 1 : scale[channel]!) + (shift === null ? 0 : shift[channel]!);
  }
  const inputs = [input, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  recordGrad('batchNormalization', output, inputs, (gradOutput) => {
    const grads = batchNormBackward(gradOutput, normalized, gamma, inverseStd, layout, training, input.requiresGrad);
    return [grads.input, ...(gamma ? [grads.gamma] : []), ...(beta ? [grads.beta] : [])];
  });
  return output;
}

/** moving = moving·momentum + batch·(1 − momentum), in place. */
function moveStatistics(
  movingMean: Float32Array,
  movingVariance: Float32Array,
  mean: Float64Array,
  variance: Float64Array,
  momentum: number,
): void {
  for (let channel = 0; channel < movingMean.length; channel++) {
    movingMean[channel] = movingMean[channel]! * momentum + mean[channel]! * (1 - momentum);
    movingVariance[channel] = movingVariance[channel]! * momentum + variance[channel]! * (1 - momentum);
  }
}

function batchMoments(values: Float32Array, layout: Layout): { mean: Float64Array; variance: Float64Array } {
  const mean = channelSums(values, layout, null).map((sum) => sum / layout.count);
  const variance = new Float64Array(layout.channels);
  for (let index = 0; index < values.length; index++) {
    const channel = Math.floor(index / layout.inner) % layout.channels;
    variance[channel]! += (values[index]! - mean[channel]!) ** 2;
  }
  return { mean, variance: variance.map((sum) => sum / layout.count) };
}

/**
 * dβ = Σ g, dγ = Σ g·x̂; dx = γ/σ · g at inference, and with batch statistics
 * dx = γ/(σ·m) · (m·g − Σ g − x̂ · Σ g·x̂) (the mean and variance depend on x too).
 */
function batchNormBackward(
  gradOutput: Tensor,
  normalized: Tensor,
  gamma: Tensor | null,
  inverseStd: Float64Array,
  layout: Layout,
  training: boolean,
  wantInput: boolean,
) {
  const [grad, xhat] = [gradOutput.values, normalized.values];
  const gradSum = channelSums(grad, layout, null);
  const gradDotXhat = channelSums(grad, layout, xhat);
  const gradGamma = gamma ? Tensor.allocate(gamma.shape) : null;
  const gradBeta = Tensor.allocate([layout.channels]);
  gradGamma?.values.set(gradDotXhat);
  gradBeta.values.set(gradSum);
  let gradInput: Tensor | null = null;
  if (wantInput) {
    gradInput = Tensor.allocate(gradOutput.shape);
    const [result, g, x, scale] = [gradInput.values, gradOutput.values, normalized.values, gamma?.values ?? null];
    const count = layout.count;
    for (let index = 0; index < result.length; index++) {
      const channel = Math.floor(index / layout.inner) % layout.channels;
      const factor = (scale === null ? 1 : scale[channel]!) * inverseStd[channel]!;
      result[index] = training
        ? (factor / count) * (count * g[index]! - gradSum[channel]! - x[index]! * gradDotXhat[channel]!)
        : factor * g[index]!;
    }
  }
  return { input: gradInput, gamma: gradGamma, beta: gradBeta };
}
