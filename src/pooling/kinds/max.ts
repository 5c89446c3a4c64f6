// Max pooling: the maximum of each window, optionally with its argmax (PyTorch's MaxPoolNd,
// TensorFlow's max_pool, ONNX MaxPool, Keras's MaxPooling1D/2D/3D).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry (TensorFlow's SAME, PyTorch's ceil mode);
// - the identity of max is -Infinity (padding never wins);
// - NaN propagates: a window holding NaN outputs NaN (PyTorch's rule; TensorFlow.js's CPU backend
//   skips NaN instead), and its argmax is the last NaN in window order;
// - among tied maxima the first in window order (row-major) wins and gets the whole gradient;
// - indices are flat spatial positions within each (batch, channel) plane, as PyTorch returns.
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { maxPoolBackward, maxPoolForward } from '../../kernels/reference/max-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asPoolOptions, returnIndicesOption, windowOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { booleanOption, definePoolingKind, type OpCall, type PoolWithIndices } from '../kind.js';

export interface MaxPoolOptions extends PoolOptions {
  /** Also return the argmax of every window (PyTorch's return_indices). */
  returnIndices?: boolean;
}

function computeMaxPool({ op, input, options, rank }: OpCall): Tensor | PoolWithIndices {
  const geometry = poolGeometry(op, input.shape, rank, asPoolOptions(options));
  const wantIndices = booleanOption(op, 'returnIndices', options.returnIndices, false);
  const { output, saved } = runPoolSteps({
    op,
    inputs: [input],
    outputShape: geometry.outputShape,
    saved: wantIndices || input.requiresGrad ? [{ shape: geometry.outputShape, dtype: 'int32' }] : [],
    keepSaved: wantIndices,
    forward: ({ inputs: [x], output, saved: [argmax] }) =>
      kernel('maxPoolForward')(x!.values, output.values, argmax?.intValues ?? null, geometry),
    backward: ({ gradOutput, saved: [argmax], gradInputs: [gradInput] }) =>
      kernel('maxPoolBackward')(gradOutput.values, argmax!.intValues, gradInput!.values, geometry),
  });
  return wantIndices ? { output, indices: saved[0]! } : output;
}

export const maxKind = definePoolingKind({
  name: 'max',
  aliases: ['maximum'],
  window: 'sliding',
  ranks: [1, 2, 3],
  opNames: { 1: 'maxPool1d', 2: 'maxPool2d', 3: 'maxPool3d' },
  options: [...windowOptions, returnIndicesOption],
  requiresOptions: true,
  random: false,
  docs: {
    label: 'Max pooling',
    summary: 'The largest value of each window.',
    formula: 'y = max over the window of x',
    gradient: 'All of it to the argmax: the first of tied maxima, the last NaN when the window holds NaN.',
    source: "PyTorch's MaxPoolNd, TensorFlow's max_pool, ONNX MaxPool",
  },
  kernels: { maxPoolForward, maxPoolBackward },
  outputShape: (op, shape, options, rank) => poolGeometry(op, shape, rank, asPoolOptions(options)).outputShape,
  compute: computeMaxPool,
  layer: {
    className: 'MaxPooling',
    factory: 'maxPooling',
    rankSuffix: true,
    keras: true,
    seedConfig: { poolSize: 2 },
  },
});

function maxPoolOp(rank: SpatialDims) {
  return (input: Tensor, options: MaxPoolOptions): Tensor | PoolWithIndices => maxKind.apply(input, [], options, rank);
}

/**
 * 1D max pooling over [batch, width, channels] (or [batch, channels, width] with channelsFirst).
 * @example maxPool1d(x, { kernelSize: 2 })
 */
export function maxPool1d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool1d(input: Tensor, options: MaxPoolOptions): Tensor;
export function maxPool1d(input: Tensor, options: MaxPoolOptions): Tensor | PoolWithIndices {
  return maxPoolOp(1)(input, options);
}

/**
 * 2D max pooling over [batch, height, width, channels] (or NCHW with channelsFirst).
 * @example maxPool2d(x, { kernelSize: 2 })                          // 2x2, stride 2, VALID
 * @example maxPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' }) // TensorFlow's SAME
 * @example maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, returnIndices: true })
 */
export function maxPool2d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool2d(input: Tensor, options: MaxPoolOptions): Tensor;
export function maxPool2d(input: Tensor, options: MaxPoolOptions): Tensor | PoolWithIndices {
  return maxPoolOp(2)(input, options);
}

/**
 * 3D max pooling over [batch, depth, height, width, channels] (or NCDHW with channelsFirst).
 * @example maxPool3d(x, { kernelSize: [1, 2, 2] })
 */
export function maxPool3d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool3d(input: Tensor, options: MaxPoolOptions): Tensor;
export function maxPool3d(input: Tensor, options: MaxPoolOptions): Tensor | PoolWithIndices {
  return maxPoolOp(3)(input, options);
}
