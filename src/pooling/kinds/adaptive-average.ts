// Adaptive average pooling: the output size is given and the windows follow from it (PyTorch's
// AdaptiveAvgPoolNd): each output is its window's sum divided by its cell count, and its gradient
// is shared out the same way. The windows are adaptive max pooling's (adaptive-max.ts).
import { adaptiveAvgPoolBackward, adaptiveAvgPoolForward } from '../../kernels/reference/adaptive-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { adaptiveRanges, boxReduce, spatial } from '../../formats/onnx/pool-nodes.js';
import { adaptiveOptions } from '../common-options.js';
import { adaptiveGeometryOf } from '../adaptive-steps.js';
import { outputShapeOf, runLinearOp } from '../kernel-steps.js';
import { rankedOps, type OpCall } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import type { AdaptiveAvgPoolOptions } from './adaptive-max.js';

function computeAdaptiveAverage(call: OpCall): Tensor {
  return runLinearOp(call, adaptiveGeometryOf, 'adaptiveAvgPoolForward', 'adaptiveAvgPoolBackward');
}

/** Adaptive windows differ in size, so each axis is reduced cell by cell (a pooling op where they are regular). */
function exportAdaptiveAverage(call: OnnxExportCall) {
  const geometry = adaptiveGeometryOf(call.owner, call.inputShape, call.options, call.rank);
  return spatial(boxReduce(call, call.input, adaptiveRanges(geometry, call.rank), 'mean'));
}

export const adaptiveAverageKind = standardKind({
  names: ['adaptiveAverage', 'adaptiveAvg'],
  layoutFree: true,
  window: 'adaptive',
  op: 'adaptiveAvgPool{rank}d',
  options: adaptiveOptions,
  docs: {
    label: 'Adaptive average pooling',
    summary: 'You choose the output size; each output is the mean of its adaptive window.',
    formula: 'y_i = mean of x over [floor(i·In/Out), ceil((i+1)·In/Out)) per axis',
    gradient: 'gradOutput / (window cells) to each cell of the window.',
    source: "PyTorch's AdaptiveAvgPoolNd",
  },
  kernels: { adaptiveAvgPoolForward, adaptiveAvgPoolBackward },
  outputShape: outputShapeOf(adaptiveGeometryOf),
  compute: computeAdaptiveAverage,
  layer: { className: 'AdaptiveAveragePooling{rank}D', keras: true, seedConfig: { outputSize: 13 } },
  onnx: { export: exportAdaptiveAverage },
});

/**
 * Adaptive average pooling to `outputSize`.
 * @example adaptiveAvgPool2d(x, { outputSize: 1 }) // [2, 7, 7, 64] → [2, 1, 1, 64]
 */
export type AdaptiveAvgPoolOp = (input: Tensor, options: AdaptiveAvgPoolOptions) => Tensor;

export const [adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d] =
  rankedOps(adaptiveAverageKind).as<AdaptiveAvgPoolOp>();
