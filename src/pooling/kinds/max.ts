// Max pooling: the maximum of each window, optionally with its argmax (PyTorch's MaxPoolNd,
// TensorFlow's max_pool, ONNX MaxPool, Keras's MaxPooling1D/2D/3D).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry (TensorFlow's SAME, PyTorch's ceil mode);
// - the identity of max is -Infinity (padding never wins);
// - NaN propagates: a window holding NaN outputs NaN (PyTorch's rule; TensorFlow.js's CPU backend
//   skips NaN instead), and its argmax is the last NaN in window order;
// - among tied maxima the first in window order (row-major) wins and gets the whole gradient;
// - indices are flat spatial positions within each (batch, channel) plane, as PyTorch returns.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { maxPoolBackward, maxPoolForward } from '../../kernels/reference/max-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { returnIndicesOption, windowGeometry, windowOptions } from '../common-options.js';
import { runSelection } from '../compute.js';
import { booleanOption, rankedOps, type OpCall, type PoolWithIndices, type SelectingOp } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, maxPoolNode, maxPoolWithIndices } from '../../formats/onnx/pool-window.js';
import { slidingImport } from '../../formats/onnx/pool-import.js';

export interface MaxPoolOptions extends PoolOptions {
  /** Also return the argmax of every window (PyTorch's return_indices). */
  returnIndices?: boolean;
}

function computeMaxPool(call: OpCall): Tensor | PoolWithIndices {
  const geometry = windowGeometry(call);
  const returnIndices = booleanOption(call.op, 'returnIndices', call.options.returnIndices, false);
  return runSelection(call.op, call.input, geometry.outputShape, returnIndices, {
    forward: (input, output, argmax) => kernel('maxPoolForward')(input, output, argmax, geometry),
    backward: (gradOutput, argmax, gradInput) => kernel('maxPoolBackward')(gradOutput, argmax, gradInput, geometry),
    scatters: false,
  });
}

/** ONNX MaxPool, with its Indices turned into per-plane int32 positions when asked for. */
function exportMaxPool(call: OnnxExportCall) {
  const { axes } = exportWindow(call);
  const ceilMode = call.options.ceilMode === true;
  if (!call.indices) return spatial(maxPoolNode(call, call.input, axes, ceilMode));
  const [output, indices] = maxPoolWithIndices(call, axes, ceilMode);
  return spatial(output, indices);
}

export const maxKind = slidingWindowKind({
  names: ['max', 'maximum'],
  layoutFree: true,
  op: 'maxPool{rank}d',
  options: [...windowOptions, returnIndicesOption],
  docs: {
    label: 'Max pooling',
    summary: 'The largest value of each window.',
    formula: 'y = max over the window of x',
    gradient: 'All of it to the argmax: the first of tied maxima, the last NaN when the window holds NaN.',
    source: "PyTorch's MaxPoolNd, TensorFlow's max_pool, ONNX MaxPool",
  },
  kernels: { maxPoolForward, maxPoolBackward },
  compute: computeMaxPool,
  layer: { keras: true },
  onnx: { export: exportMaxPool, import: { ops: ['MaxPool'], config: slidingImport } },
});

/**
 * Max pooling over [batch, ...spatial, channels] (or [batch, channels, ...spatial] with
 * channelsFirst), with the window's argmax too when `returnIndices` is true.
 * @example maxPool2d(x, { kernelSize: 2 })                          // 2x2, stride 2, VALID
 * @example maxPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' }) // TensorFlow's SAME
 * @example maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, returnIndices: true })
 */
export type MaxPoolOp = SelectingOp<MaxPoolOptions>;

export const [maxPool1d, maxPool2d, maxPool3d] = rankedOps(maxKind).as<MaxPoolOp>();
