// maxPool1d/2d/3d: the maximum of each window, optionally with its argmax indices.
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry (TensorFlow's SAME, PyTorch's ceil mode);
// - the identity of max is -Infinity (padding never wins);
// - NaN propagates: a window holding NaN outputs NaN (PyTorch's rule; TensorFlow.js's CPU backend
//   skips NaN instead), and its argmax is the last NaN in window order;
// - among tied maxima the first in window order (row-major) wins and gets the whole gradient;
// - indices are flat spatial positions within each (batch, channel) plane, as PyTorch returns.
import { recordGrad } from '../../autograd/tape.js';
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../checks.js';

export interface MaxPoolOptions extends PoolOptions {
  /** Also return the argmax of every window (PyTorch's return_indices). */
  returnIndices?: boolean;
}

export interface PoolWithIndices {
  output: Tensor;
  /** int32, shaped like output: the flat spatial index of each window's maximum in its plane. */
  indices: Tensor;
}

function maxPool(
  op: string,
  spatialDims: SpatialDims,
  input: Tensor,
  options: MaxPoolOptions,
): Tensor | PoolWithIndices {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = poolGeometry(op, input.shape, spatialDims, checked);
  const output = Tensor.allocate(geometry.outputShape);
  const wantIndices = checked.returnIndices === true;
  const indices = wantIndices || input.requiresGrad ? Tensor.allocate(geometry.outputShape, 'int32') : null;
  kernel('maxPoolForward')(input.values, output.values, indices?.intValues ?? null, geometry);
  if (indices !== null) {
    recordGrad(
      op,
      output,
      [input],
      (gradOutput) => {
        const gradInput = Tensor.allocate(input.shape);
        kernel('maxPoolBackward')(gradOutput.values, indices.intValues, gradInput.values, geometry);
        return [gradInput];
      },
      [indices],
    );
  }
  return wantIndices ? { output, indices: indices! } : output;
}

/**
 * 1D max pooling over [batch, width, channels] (or [batch, channels, width] with channelsFirst).
 * @example maxPool1d(x, { kernelSize: 2 })
 */
export function maxPool1d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool1d(input: Tensor, options: MaxPoolOptions): Tensor;
export function maxPool1d(input: Tensor, options: MaxPoolOptions): Tensor | PoolWithIndices {
  return maxPool('maxPool1d', 1, input, options);
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
  return maxPool('maxPool2d', 2, input, options);
}

/**
 * 3D max pooling over [batch, depth, height, width, channels] (or NCDHW with channelsFirst).
 * @example maxPool3d(x, { kernelSize: [1, 2, 2] })
 */
export function maxPool3d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): PoolWithIndices;
export function maxPool3d(input: Tensor, options: MaxPoolOptions): Tensor;
export function maxPool3d(input: Tensor, options: MaxPoolOptions): Tensor | PoolWithIndices {
  return maxPool('maxPool3d', 3, input, options);
}
