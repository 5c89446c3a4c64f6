// adaptiveMaxPool1d/2d/3d and adaptiveAvgPool1d/2d/3d: pooling to a given output size (PyTorch's
// AdaptiveMaxPoolNd and AdaptiveAvgPoolNd).
//
// Semantics, on every backend:
// - output cell i of an axis pools input cells floor(i·In/Out) up to ceil((i+1)·In/Out) (PyTorch's
//   rule): windows may differ in size and overlap; an output larger than the input repeats cells;
// - outputSize is one number for every axis or one entry per axis, where null keeps that axis's
//   input size (PyTorch's None);
// - max: NaN propagates (its argmax is the last NaN in window order), the first of tied maxima wins
//   and gets the whole gradient; indices are flat spatial positions within each (batch, channel)
//   plane, as PyTorch returns, so maxUnpool can put the maxima back;
// - average: the window's sum divided by its cell count; its gradient is shared out the same way.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { adaptiveGeometry, type AdaptiveOutputSize } from '../../geometry/adaptive-geometry.js';
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../checks.js';
import { poolingPlanes } from './argmax-planes.js';
import type { PoolWithIndices } from './max-pool.js';

export interface AdaptiveAvgPoolOptions {
  /** Output spatial size: one number, or one per axis where null keeps the input's size. */
  outputSize: AdaptiveOutputSize;
  /** 'channelsLast' (the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

export interface AdaptiveMaxPoolOptions extends AdaptiveAvgPoolOptions {
  /** Also return the argmax of every window (PyTorch's return_indices). */
  returnIndices?: boolean;
}

function adaptiveMaxPool(
  op: string,
  spatialDims: SpatialDims,
  input: Tensor,
  options: AdaptiveMaxPoolOptions,
): Tensor | PoolWithIndices {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = adaptiveGeometry(op, input.shape, spatialDims, checked.outputSize, checked.dataFormat);
  const output = Tensor.allocate(geometry.outputShape);
  const wantIndices = checked.returnIndices ?? false;
  if (typeof wantIndices !== 'boolean') fail(op, 'returnIndices', 'must be a boolean', wantIndices);
  const indices = wantIndices || input.requiresGrad ? Tensor.allocate(geometry.outputShape, 'int32') : null;
  kernel('adaptiveMaxPoolForward')(input.values, output.values, indices?.intValues ?? null, geometry);
  if (indices !== null) {
    recordGrad(
      op,
      output,
      [input],
      (gradOutput) => {
        const gradInput = Tensor.allocate(input.shape);
        gradInput.values.fill(0);
        kernel('argmaxScatterAdd')(gradOutput.values, indices.intValues, gradInput.values, poolingPlanes(geometry));
        return [gradInput];
      },
      [indices],
    );
  }
  return wantIndices ? { output, indices: indices! } : output;
}

function adaptiveAvgPool(op: string, spatialDims: SpatialDims, input: Tensor, options: AdaptiveAvgPoolOptions): Tensor {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, true);
  const geometry = adaptiveGeometry(op, input.shape, spatialDims, checked.outputSize, checked.dataFormat);
  const output = Tensor.allocate(geometry.outputShape);
  kernel('adaptiveAvgPoolForward')(input.values, output.values, geometry);
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    kernel('adaptiveAvgPoolBackward')(gradOutput.values, gradInput.values, geometry);
    return [gradInput];
  });
  return output;
}

/**
 * 1D adaptive max pooling over [batch, width, channels] (or [batch, channels, width]).
 * @example adaptiveMaxPool1d(x, { outputSize: 4 })
 */
export function adaptiveMaxPool1d(
  input: Tensor,
  options: AdaptiveMaxPoolOptions & { returnIndices: true },
): PoolWithIndices;
export function adaptiveMaxPool1d(input: Tensor, options: AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool1d(input: Tensor, options: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices {
  return adaptiveMaxPool('adaptiveMaxPool1d', 1, input, options);
}

/**
 * 2D adaptive max pooling over [batch, height, width, channels] (or NCHW with channelsFirst).
 * @example adaptiveMaxPool2d(x, { outputSize: [3, null], returnIndices: true })
 */
export function adaptiveMaxPool2d(
  input: Tensor,
  options: AdaptiveMaxPoolOptions & { returnIndices: true },
): PoolWithIndices;
export function adaptiveMaxPool2d(input: Tensor, options: AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool2d(input: Tensor, options: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices {
  return adaptiveMaxPool('adaptiveMaxPool2d', 2, input, options);
}

/**
 * 3D adaptive max pooling over [batch, depth, height, width, channels] (or NCDHW).
 * @example adaptiveMaxPool3d(x, { outputSize: [1, 2, 2] })
 */
export function adaptiveMaxPool3d(
  input: Tensor,
  options: AdaptiveMaxPoolOptions & { returnIndices: true },
): PoolWithIndices;
export function adaptiveMaxPool3d(input: Tensor, options: AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool3d(input: Tensor, options: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices {
  return adaptiveMaxPool('adaptiveMaxPool3d', 3, input, options);
}

/** 1D adaptive average pooling. @example adaptiveAvgPool1d(x, { outputSize: 7 }) */
export function adaptiveAvgPool1d(input: Tensor, options: AdaptiveAvgPoolOptions): Tensor {
  return adaptiveAvgPool('adaptiveAvgPool1d', 1, input, options);
}

/** 2D adaptive average pooling. @example adaptiveAvgPool2d(x, { outputSize: [7, 7] }) */
export function adaptiveAvgPool2d(input: Tensor, options: AdaptiveAvgPoolOptions): Tensor {
  return adaptiveAvgPool('adaptiveAvgPool2d', 2, input, options);
}

/** 3D adaptive average pooling. @example adaptiveAvgPool3d(x, { outputSize: [null, 2, 2] }) */
export function adaptiveAvgPool3d(input: Tensor, options: AdaptiveAvgPoolOptions): Tensor {
  return adaptiveAvgPool('adaptiveAvgPool3d', 3, input, options);
}
