// globalMaxPool, globalAvgPool, globalLpPool: one number per (batch, channel) over every spatial
// cell, for 1, 2 or 3 spatial dimensions (inferred from the input's rank: 3, 4 or 5).
//
// Semantics, on every backend:
// - output [batch, channels] by default, as Keras's GlobalMaxPooling2D; with keepDims the spatial
//   axes stay as size 1 ([batch, 1, 1, channels], or [batch, channels, 1, 1] with channelsFirst),
//   as PyTorch's adaptive pooling to 1 and ONNX's GlobalMaxPool;
// - max is adaptive max pooling to size 1: NaN propagates, the first of tied maxima gets the
//   gradient; average is the mean of the plane;
// - Lp is ONNX GlobalLpPool: (Σ |x|^p)^(1/p) for real p >= 1 (default 2); gradient
//   |x|^(p-1)·sign(x) / out^(p-1), and 0 where out = 0.
// The kernels are the adaptive ones with output size 1 and the Lp pool with the whole input as its
// window; in memory [batch, channels] and the keepDims shape are the same bytes.
import { recordGrad } from '../../autograd/tape.js';
import { adaptiveGeometry, type AdaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import { checkDataFormat, spatialSizes, type DataFormat, type SpatialDims } from '../../geometry/layout.js';
import { poolGeometry } from '../../geometry/pool-geometry.js';
import { fail } from '../../errors.js';
import { kernel } from '../../kernels/backend.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../checks.js';
import { poolingPlanes } from './argmax-planes.js';

export interface GlobalPoolOptions {
  /** 'channelsLast' (the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** Keep the spatial axes as size 1 instead of returning [batch, channels]. */
  keepDims?: boolean;
}

export interface GlobalLpPoolOptions extends GlobalPoolOptions {
  /** The norm's exponent, a real number >= 1 (default 2, as ONNX GlobalLpPool). */
  p?: number;
}

interface GlobalSetup {
  readonly spatialDims: SpatialDims;
  readonly dataFormat: DataFormat;
  /** Adaptive pooling to size 1: the geometry of the max and average kernels. */
  readonly geometry: AdaptiveGeometry;
  readonly outputShape: Shape;
}

/** Checks input and options; works out the spatial dimensions and the output shape. */
function setUp(op: string, input: Tensor, options: GlobalPoolOptions | undefined): GlobalSetup {
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, false);
  const dataFormat = checkDataFormat(op, checked.dataFormat);
  const keepDims = checked.keepDims ?? false;
  if (typeof keepDims !== 'boolean') fail(op, 'keepDims', 'must be a boolean', keepDims);
  const rank = input.rank;
  if (rank < 3 || rank > 5) {
    const rule = 'must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial axes)';
    fail(op, 'input', rule, `shape [${input.shape.join(', ')}]`);
  }
  const spatialDims = (rank - 2) as SpatialDims;
  const geometry = adaptiveGeometry(op, input.shape, spatialDims, 1, dataFormat); // checks spatial sizes >= 1
  const outputShape = keepDims ? geometry.outputShape : [geometry.batch, geometry.channels];
  return { spatialDims, dataFormat, geometry, outputShape };
}

/**
 * The maximum of every (batch, channel) plane.
 * @example globalMaxPool(x)                                // [2, 7, 7, 64] → [2, 64]
 * @example globalMaxPool(x, { dataFormat: 'channelsFirst', keepDims: true }) // [2, 64, 7, 7] → [2, 64, 1, 1]
 */
export function globalMaxPool(input: Tensor, options?: GlobalPoolOptions): Tensor {
  const { geometry, outputShape } = setUp('globalMaxPool', input, options);
  const output = Tensor.allocate(outputShape);
  const indices = input.requiresGrad ? Tensor.allocate(outputShape, 'int32') : null;
  kernel('adaptiveMaxPoolForward')(input.values, output.values, indices?.intValues ?? null, geometry);
  if (indices !== null) {
    recordGrad(
      'globalMaxPool',
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
  return output;
}

/**
 * The mean of every (batch, channel) plane.
 * @example globalAvgPool(x) // [2, 7, 7, 64] → [2, 64]
 */
export function globalAvgPool(input: Tensor, options?: GlobalPoolOptions): Tensor {
  const { geometry, outputShape } = setUp('globalAvgPool', input, options);
  const output = Tensor.allocate(outputShape);
  kernel('adaptiveAvgPoolForward')(input.values, output.values, geometry);
  recordGrad('globalAvgPool', output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    kernel('adaptiveAvgPoolBackward')(gradOutput.values, gradInput.values, geometry);
    return [gradInput];
  });
  return output;
}

/**
 * The Lp norm (Σ |x|^p)^(1/p) of every (batch, channel) plane, as ONNX GlobalLpPool.
 * @example globalLpPool(x, { p: 2 }) // [2, 7, 7, 64] → [2, 64]
 */
export function globalLpPool(input: Tensor, options?: GlobalLpPoolOptions): Tensor {
  const op = 'globalLpPool';
  const { spatialDims, dataFormat, outputShape } = setUp(op, input, options);
  const p = options?.p ?? 2;
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 1) fail(op, 'p', 'must be a finite number >= 1', p);
  // One window as large as the input: the Lp pool kernel's output is then one cell per plane.
  const kernelSize = spatialSizes(input.shape, spatialDims, dataFormat);
  const geometry = poolGeometry(op, input.shape, spatialDims, { kernelSize, dataFormat });
  const output = Tensor.allocate(outputShape);
  kernel('lpPoolForward')(input.values, output.values, geometry, p);
  recordGrad(op, output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    kernel('lpPoolBackward')(input.values, output.values, gradOutput.values, gradInput.values, geometry, p);
    return [gradInput];
  });
  return output;
}
