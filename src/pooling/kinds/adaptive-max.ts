// Adaptive max pooling: the output size is given and the windows follow from it (PyTorch's
// AdaptiveMaxPoolNd; Keras 3's AdaptiveMaxPooling names).
//
// Semantics, on every backend:
// - output cell i of an axis pools input cells floor(i·In/Out) up to ceil((i+1)·In/Out) (PyTorch's
//   rule): windows may differ in size and overlap; an output larger than the input repeats cells;
// - outputSize is one number for every axis or one entry per axis, where null keeps that axis's
//   input size (PyTorch's None);
// - NaN propagates (its argmax is the last NaN in window order), the first of tied maxima wins and
//   gets the whole gradient; indices are flat spatial positions within each (batch, channel) plane,
//   as PyTorch returns, so maxUnpool can put the maxima back.
import type { AdaptiveOutputSize } from '../../geometry/adaptive-geometry.js';
import type { DataFormat } from '../../geometry/layout.js';
import { adaptiveMaxPoolForward } from '../../kernels/reference/adaptive-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { adaptiveGeometryOf, adaptiveMaxSteps } from '../adaptive-steps.js';
import { outputShapeOf } from '../kernel-steps.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { adaptiveRanges, boxReduce, spatial } from '../../formats/onnx/pool-nodes.js';
import { adaptiveOptions, returnIndicesOption } from '../common-options.js';
import { booleanOption, rankedOps, type OpCall, type PoolWithIndices, type SelectingOp } from '../kind.js';
import { standardKind } from '../kind-presets.js';

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

function computeAdaptiveMax({ op, input, options, rank }: OpCall): Tensor | PoolWithIndices {
  const geometry = adaptiveGeometryOf(op, input.shape, options, rank);
  const wantIndices = booleanOption(op, 'returnIndices', options.returnIndices, false);
  return adaptiveMaxSteps(op, input, geometry, geometry.outputShape, wantIndices);
}

/** Adaptive windows differ in size, so each axis is reduced cell by cell (a pooling op where they are regular). */
function exportAdaptiveMax(call: OnnxExportCall) {
  const geometry = adaptiveGeometryOf(call.owner, call.inputShape, call.options, call.rank);
  return spatial(boxReduce(call, call.input, adaptiveRanges(geometry, call.rank), 'max'));
}

export const adaptiveMaxKind = standardKind({
  names: ['adaptiveMax'],
  layoutFree: true,
  window: 'adaptive',
  op: 'adaptiveMaxPool{rank}d',
  options: [...adaptiveOptions, returnIndicesOption],
  docs: {
    label: 'Adaptive max pooling',
    summary: 'You choose the output size; each output is the maximum of its adaptive window.',
    formula: 'y_i = max of x over [floor(i·In/Out), ceil((i+1)·In/Out)) per axis',
    gradient: 'All of it to the argmax (first of ties, last NaN).',
    source: "PyTorch's AdaptiveMaxPoolNd",
  },
  kernels: { adaptiveMaxPoolForward },
  outputShape: outputShapeOf(adaptiveGeometryOf),
  compute: computeAdaptiveMax,
  layer: { keras: true, seedConfig: { outputSize: 13 } },
  onnx: { export: exportAdaptiveMax },
});

/**
 * Adaptive max pooling to `outputSize`, with the argmax too when `returnIndices` is true.
 * @example adaptiveMaxPool2d(x, { outputSize: [7, 7] })
 */
export type AdaptiveMaxPoolOp = SelectingOp<AdaptiveMaxPoolOptions>;

export const [adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d] =
  rankedOps(adaptiveMaxKind).as<AdaptiveMaxPoolOp>();
