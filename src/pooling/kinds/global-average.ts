// Global average pooling: the mean of every (batch, channel) plane, for 1, 2 or 3 spatial
// dimensions; Keras's GlobalAveragePooling1D/2D/3D, ONNX GlobalAveragePool. It is adaptive average
// pooling to size 1; shapes and keepDims as global max pooling (global-max.ts).
import type { Tensor } from '../../tensor/tensor.js';
import { maskableGlobalOptions } from '../common-options.js';
import { type OpCall } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { adaptiveAverageSteps } from '../adaptive-steps.js';
import { exportGlobalPool } from '../../formats/onnx/pool-nodes.js';
import { globalImport } from '../../formats/onnx/pool-import.js';
import {
  globalCallArguments,
  globalRank,
  globalSetUp,
  maskedGlobalPool,
  type GlobalPoolOptions,
} from '../global-steps.js';

function computeGlobalAverage(call: OpCall): Tensor {
  const { op, input, options } = call;
  if (options.mask !== undefined) return maskedGlobalPool(call, 'average');
  const { geometry, outputShape } = globalSetUp(op, input.shape, options);
  return adaptiveAverageSteps(op, input, geometry, outputShape);
}

export const globalAverageKind = standardKind({
  names: ['globalAverage', 'globalAvg'],
  window: 'global',
  op: 'globalAvgPool',
  options: maskableGlobalOptions,
  docs: {
    label: 'Global average pooling',
    summary: 'One window covering the whole input: the mean of each channel.',
    formula: 'y[b, c] = mean over every spatial cell of x[b, ..., c]',
    gradient: 'gradOutput / (spatial cells) to every cell.',
    source: "Keras's GlobalAveragePooling1D/2D/3D, ONNX GlobalAveragePool",
  },
  kernels: {},
  outputShape: (op, shape, options) => globalSetUp(op, shape, options).outputShape,
  compute: computeGlobalAverage,
  layer: { className: 'GlobalAveragePooling{rank}D', keras: true, callArguments: globalCallArguments },
  onnx: {
    export: exportGlobalPool('GlobalAveragePool'),
    import: { ops: ['GlobalAveragePool'], config: (node) => globalImport(node) },
  },
});

/**
 * The mean of every (batch, channel) plane.
 * @example globalAvgPool(x) // [2, 7, 7, 64] → [2, 64]
 */
export function globalAvgPool(input: Tensor, options?: GlobalPoolOptions): Tensor {
  return globalAverageKind.apply(input, [], options, globalRank(input));
}
