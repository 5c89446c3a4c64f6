// The adaptive windows (PyTorch's rule, output size given) and the steps that pool them: max with
// its argmax and average. Adaptive and global max/average pooling share these (global is output size 1).
import { adaptiveGeometry, type AdaptiveGeometry, type AdaptiveOutputSize } from '../geometry/adaptive-geometry.js';
import type { DataFormat, SpatialDims } from '../geometry/layout.js';
import { kernel } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { poolingPlanes } from './argmax-planes.js';
import { runPoolSteps, runSelection } from './compute.js';
import type { OpOptions } from './kind.js';
import { linearSteps } from './kernel-steps.js';

/** The adaptive windows of an input shape: PyTorch's rule, output size given. */
export function adaptiveGeometryOf(op: string, shape: readonly number[], options: OpOptions, rank: SpatialDims) {
  return adaptiveGeometry(op, shape, rank, options.outputSize as AdaptiveOutputSize, options.dataFormat as DataFormat);
}

/** Max over each adaptive window, with its argmax; shared with global max pooling (output size 1). */
export function adaptiveMaxSteps(
  op: string,
  input: Tensor,
  geometry: AdaptiveGeometry,
  outputShape: readonly number[],
  returnIndices: boolean,
) {
  return runSelection(op, input, outputShape, returnIndices, {
    forward: (values, output, argmax) => kernel('adaptiveMaxPoolForward')(values, output, argmax, geometry),
    backward: (gradOutput, argmax, gradInput) =>
      kernel('argmaxScatterAdd')(gradOutput, argmax, gradInput, poolingPlanes(geometry)),
    scatters: true,
  });
}

/** The mean of each adaptive window; shared with global average pooling (output size 1). */
export function adaptiveAverageSteps(
  op: string,
  input: Tensor,
  geometry: AdaptiveGeometry,
  outputShape: readonly number[],
): Tensor {
  const steps = linearSteps(geometry, 'adaptiveAvgPoolForward', 'adaptiveAvgPoolBackward');
  return runPoolSteps(op, [input], outputShape, steps).output;
}
