// Global max pooling: the maximum of every (batch, channel) plane, for 1, 2 or 3 spatial
// dimensions (from the input's rank: 3, 4 or 5); Keras's GlobalMaxPooling1D/2D/3D, ONNX GlobalMaxPool.
//
// Semantics, on every backend:
// - output [batch, channels] by default, as Keras; with keepDims the spatial axes stay as size 1
//   ([batch, 1, 1, channels], or [batch, channels, 1, 1] with channelsFirst), as PyTorch's adaptive
//   pooling to 1 and ONNX's GlobalMaxPool;
// - it is adaptive max pooling to size 1: NaN propagates, the first of tied maxima gets the gradient.
//   In memory [batch, channels] and the keepDims shape are the same bytes.
import { adaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import { checkDataFormat, type DataFormat, type SpatialDims } from '../../geometry/layout.js';
import { fail } from '../../errors.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import { globalOptions } from '../common-options.js';
import { definePoolingKind, type OpCall, type OpOptions } from '../kind.js';
import { adaptiveMaxSteps } from './adaptive-max.js';

export interface GlobalPoolOptions {
  /** 'channelsLast' (the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** Keep the spatial axes as size 1 instead of returning [batch, channels]. */
  keepDims?: boolean;
}

/** Checks the input's rank and the options; the adaptive geometry to size 1 and the output shape. */
export function globalSetUp(op: string, inputShape: Shape, options: OpOptions) {
  const dataFormat = checkDataFormat(op, options.dataFormat);
  const keepDims = options.keepDims ?? false;
  if (typeof keepDims !== 'boolean') fail(op, 'keepDims', 'must be a boolean', keepDims);
  if (inputShape.length < 3 || inputShape.length > 5) {
    const rule = 'must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial axes)';
    fail(op, 'input', rule, `shape [${inputShape.join(', ')}]`);
  }
  const spatialDims = (inputShape.length - 2) as SpatialDims;
  const geometry = adaptiveGeometry(op, inputShape, spatialDims, 1, dataFormat); // checks spatial sizes >= 1
  const outputShape = keepDims ? geometry.outputShape : [geometry.batch, geometry.channels];
  return { spatialDims, dataFormat, geometry, outputShape };
}

/** The spatial rank a global op works at: from the input (an invalid one is refused by globalSetUp). */
export function globalRank(input: unknown): SpatialDims {
  const rank = input instanceof Tensor ? input.rank - 2 : 1;
  return (rank >= 1 && rank <= 3 ? rank : 1) as SpatialDims;
}

function computeGlobalMax({ op, input, options }: OpCall): Tensor {
  const { geometry, outputShape } = globalSetUp(op, input.shape, options);
  return adaptiveMaxSteps(op, input, geometry, outputShape, false).output;
}

export const globalMaxKind = definePoolingKind({
  names: ['globalMax'],
  window: 'global',
  ranks: [1, 2, 3],
  op: 'globalMaxPool',
  options: globalOptions,
  docs: {
    label: 'Global max pooling',
    summary: 'One window covering the whole input: the largest value of each channel.',
    formula: 'y[b, c] = max over every spatial cell of x[b, ..., c]',
    gradient: 'All of it to the argmax (first of ties, last NaN).',
    source: "Keras's GlobalMaxPooling1D/2D/3D, ONNX GlobalMaxPool",
  },
  kernels: {},
  outputShape: (op, shape, options) => globalSetUp(op, shape, options).outputShape,
  compute: computeGlobalMax,
  layer: { className: 'GlobalMaxPooling{rank}D', keras: true, seedConfig: {} },
});

/**
 * The maximum of every (batch, channel) plane.
 * @example globalMaxPool(x)                                // [2, 7, 7, 64] → [2, 64]
 * @example globalMaxPool(x, { dataFormat: 'channelsFirst', keepDims: true }) // [2, 64, 7, 7] → [2, 64, 1, 1]
 */
export function globalMaxPool(input: Tensor, options?: GlobalPoolOptions): Tensor {
  return globalMaxKind.apply(input, [], options, globalRank(input));
}
