// Global max pooling: the maximum of every (batch, channel) plane, for 1, 2 or 3 spatial
// dimensions (from the input's rank: 3, 4 or 5); Keras's GlobalMaxPooling1D/2D/3D, ONNX GlobalMaxPool.
//
// Semantics, on every backend:
// - output [batch, channels] by default, as Keras; with keepDims the spatial axes stay as size 1
//   ([batch, 1, 1, channels], or [batch, channels, 1, 1] with channelsFirst), as PyTorch's adaptive
//   pooling to 1 and ONNX's GlobalMaxPool;
// - it is adaptive max pooling to size 1: NaN propagates, the first of tied maxima gets the gradient.
//   In memory [batch, channels] and the keepDims shape are the same bytes.
import type { Tensor } from '../../tensor/tensor.js';
import { maskableGlobalOptions } from '../common-options.js';
import { outputOf, type OpCall } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { globalCallArguments, globalRank, globalSetUp, maskedGlobalPool } from '../global-steps.js';
import { adaptiveMaxSteps } from '../adaptive-steps.js';
import { exportGlobalPool } from '../../formats/onnx/pool-nodes.js';
import { globalImport } from '../../formats/onnx/pool-import.js';

import type { GlobalPoolOptions } from '../global-steps.js';
export type { GlobalPoolOptions };

function computeGlobalMax(call: OpCall): Tensor {
  const { op, input, options } = call;
  if (options.mask !== undefined) return maskedGlobalPool(call, 'max');
  const { geometry, outputShape } = globalSetUp(op, input.shape, options);
  return outputOf(adaptiveMaxSteps(op, input, geometry, outputShape, false));
}

export const globalMaxKind = standardKind({
  names: ['globalMax'],
  window: 'global',
  op: 'globalMaxPool',
  options: maskableGlobalOptions,
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
  layer: { keras: true, callArguments: globalCallArguments },
  onnx: {
    export: exportGlobalPool('GlobalMaxPool'),
    import: { ops: ['GlobalMaxPool'], config: (node) => globalImport(node) },
  },
});

/**
 * The maximum of every (batch, channel) plane.
 * @example globalMaxPool(x)                                // [2, 7, 7, 64] → [2, 64]
 * @example globalMaxPool(x, { dataFormat: 'channelsFirst', keepDims: true }) // [2, 64, 7, 7] → [2, 64, 1, 1]
 */
export function globalMaxPool(input: Tensor, options?: GlobalPoolOptions): Tensor {
  return globalMaxKind.apply(input, [], options, globalRank(input));
}
