// Average pooling: the mean of each window, with PyTorch's count_include_pad and divisor_override
// (PyTorch's AvgPoolNd, TensorFlow's avg_pool, ONNX AveragePool, Keras's AveragePooling1D/2D/3D).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry (TensorFlow's SAME, PyTorch's ceil mode);
// - the sum runs over in-bounds cells; the divisor is `divisorOverride` when set, else with
//   `countIncludePad` the window's taps inside input plus padding (ceil-mode overhang never
//   counts), else its in-bounds taps: PyTorch's CPU avg_pool rule;
// - `countIncludePad` defaults to true for numeric padding (PyTorch's default) and to false for
//   padding 'same' (TensorFlow divides by the in-bounds count); an explicit value always wins.
//   Layers default to false with any padding, as Keras (TensorFlow) does;
// - a window with no in-bounds cell (only possible with dilation) outputs 0 and passes no gradient;
// - the gradient of each output spreads evenly, gradOutput / divisor, over its in-bounds cells;
// - float32 arithmetic, as PyTorch's CPU kernels and TensorFlow: the sum rounds after each cell in
//   window order, then divides once; each share rounds, and cells add shares in output order.
import { fail } from '../../errors.js';
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { avgPoolBackward, avgPoolForward } from '../../kernels/reference/avg-pool.js';
import type { AverageDivisor } from '../../kernels/types.js';
import type { Tensor } from '../../tensor/tensor.js';
import { windowGeometry, windowOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { rankedOps, type OpCall, type OpOptions } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall, OnnxImportNode } from '../../formats/onnx/kind-hook.js';
import { scalar, spatial } from '../../formats/onnx/pool-nodes.js';
import { averagePoolNode, exportWindow, windowWeightedSum } from '../../formats/onnx/pool-window.js';
import { slidingImport } from '../../formats/onnx/pool-import.js';

export interface AvgPoolOptions extends PoolOptions {
  /**
   * Count padded positions in the divisor (PyTorch's count_include_pad). Default: true for
   * numeric padding, false for 'same' (TensorFlow's rule).
   */
  countIncludePad?: boolean;
  /** Divide every window by this non-zero integer instead (PyTorch's divisor_override). */
  divisorOverride?: number | null;
}

/** Checks and resolves countIncludePad and divisorOverride. */
function averageDivisorOf(op: string, options: OpOptions): AverageDivisor {
  const countIncludePad = options.countIncludePad ?? options.padding !== 'same';
  if (typeof countIncludePad !== 'boolean') fail(op, 'countIncludePad', 'must be a boolean', countIncludePad);
  const divisorOverride = options.divisorOverride ?? null;
  if (divisorOverride !== null && (!Number.isSafeInteger(divisorOverride) || divisorOverride === 0)) {
    fail(op, 'divisorOverride', 'must be a non-zero integer (as in PyTorch), or null', divisorOverride);
  }
  return { countIncludePad, divisorOverride: divisorOverride as number | null };
}

function computeAvgPool(call: OpCall): Tensor {
  const { op, input, options } = call;
  const geometry = windowGeometry(call);
  const divisor = averageDivisorOf(op, options);
  return runPoolSteps(op, [input], geometry.outputShape, {
    bindsResident: true,
    forward: ({ inputs: [x], output }) =>
      kernel('avgPoolForward')(x!.kernelValues, output.kernelValues, geometry, divisor),
    backward: ({ gradOutput, gradInputs: [gradInput] }) =>
      kernel('avgPoolBackward')(gradOutput.kernelValues, gradInput!.kernelValues, geometry, divisor),
  }).output;
}

/** ONNX AveragePool with count_include_pad; a divisorOverride divides a window sum (a depthwise Conv) instead. */
function exportAveragePool(call: OnnxExportCall) {
  const { geometry, axes } = exportWindow(call);
  const { countIncludePad, divisorOverride } = averageDivisorOf(call.owner, call.options);
  if (divisorOverride !== null) {
    const sum = windowWeightedSum(call, call.input, axes, geometry.channels);
    return spatial(call.graph.apply('Div', [sum, scalar(call, 'divisor', divisorOverride)], {}, call.owner));
  }
  const ceilMode = call.options.ceilMode === true;
  return spatial(averagePoolNode(call, call.input, axes, ceilMode, countIncludePad, geometry.channels));
}

/** ONNX's count_include_pad defaults to 0 (PyTorch's count_include_pad to true): always written out. */
function importAveragePool(node: OnnxImportNode) {
  const { rank, config } = slidingImport(node);
  const countIncludePad = node.int('count_include_pad', 0);
  if (countIncludePad !== 0 && countIncludePad !== 1)
    node.refuse(`count_include_pad must be 0 or 1, got ${countIncludePad}`);
  return { rank, config: { ...config, countIncludePad: countIncludePad === 1 } };
}

export const averageKind = slidingWindowKind({
  names: ['average', 'avg', 'mean'],
  layoutFree: true,
  op: 'avgPool{rank}d',
  options: [
    ...windowOptions,
    {
      name: 'countIncludePad',
      layerDefault: false,
      doc: "Count padding in the divisor (PyTorch's count_include_pad): default true for numeric padding, false for 'same' and in layers (Keras).",
      field: { type: 'checkbox', demo: true },
    },
    {
      name: 'divisorOverride',
      default: null,
      doc: "Divide every window by this non-zero integer instead (PyTorch's divisor_override).",
    },
  ],
  docs: {
    label: 'Average pooling',
    summary: 'The mean of each window.',
    formula: 'y = (sum of the in-bounds x) / divisor',
    gradient: 'gradOutput / divisor to each in-bounds cell of the window.',
    source: "PyTorch's AvgPoolNd, TensorFlow's avg_pool, ONNX AveragePool",
  },
  kernels: { avgPoolForward, avgPoolBackward },
  compute: computeAvgPool,
  layer: { className: 'AveragePooling{rank}D', keras: true },
  onnx: { export: exportAveragePool, import: { ops: ['AveragePool'], config: importAveragePool } },
});

/**
 * Average pooling over [batch, ...spatial, channels] (or channelsFirst).
 * @example avgPool2d(x, { kernelSize: 2 })                                  // 2x2, stride 2, VALID
 * @example avgPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' })      // TensorFlow's AVG
 * @example avgPool1d(x, { kernelSize: 3, stride: 1, padding: 1 })          // divides by 3 at the edges too
 */
export type AvgPoolOp = (input: Tensor, options: AvgPoolOptions) => Tensor;

export const [avgPool1d, avgPool2d, avgPool3d] = rankedOps(averageKind).as<AvgPoolOp>();
