// Min pooling: the minimum of each window (Flax's min_pool; elsewhere written -maxPool(-x)).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry, as for max pooling;
// - the identity of min is +Infinity (padding never wins); a window with no in-bounds cell
//   outputs +Infinity and passes no gradient;
// - NaN propagates: a window holding NaN outputs NaN, and its argmin is the last NaN in window
//   order (max pooling's rule, so min(x) = -max(-x) bit for bit);
// - among tied minima the first in window order wins and gets the whole gradient.
import type { PoolGeometry, PoolOptions } from '../../geometry/pool-geometry.js';
import { walkPoolWindows } from '../../kernels/reference/window-walk.js';
import { rankedOps, type SelectingOp } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import { selectingWindow } from './selection-steps.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, maxPoolNode, maxPoolWithIndices } from '../../formats/onnx/pool-window.js';

export interface MinPoolOptions extends PoolOptions {
  /** Also return the argmin of every window (flat spatial indices, as a max pool's). */
  returnIndices?: boolean;
}

/** Min over each window; `argmin` (optional) gets the flat spatial index of the chosen cell. */
export function minPoolForward(
  input: Float32Array,
  output: Float32Array,
  argmin: Int32Array | null,
  geometry: PoolGeometry,
): void {
  let [best, bestIndex] = [Infinity, -1];
  walkPoolWindows(geometry, {
    begin: () => ([best, bestIndex] = [Infinity, -1]),
    visit(inputIndex, spatialIndex) {
      const value = input[inputIndex]!;
      if (bestIndex < 0) bestIndex = spatialIndex;
      if (value < best || Number.isNaN(value)) [best, bestIndex] = [value, spatialIndex];
    },
    finish(outputIndex) {
      output[outputIndex] = best;
      if (argmin !== null) argmin[outputIndex] = bestIndex;
    },
  });
}

/** −MaxPool(−x), bit for bit the kernel's rule (ties, NaN, +Infinity for an empty window); the argmin is MaxPool's Indices of −x. */
function exportMinPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const { axes } = exportWindow(call);
  const ceilMode = call.options.ceilMode === true;
  const negated = graph.apply('Neg', [call.input], {}, owner);
  if (!call.indices) return spatial(graph.apply('Neg', [maxPoolNode(call, negated, axes, ceilMode)], {}, owner));
  const [output, indices] = maxPoolWithIndices(call, axes, ceilMode, negated);
  return spatial(graph.apply('Neg', [output], {}, owner), indices);
}

export const minKind = slidingWindowKind({
  names: ['min', 'minimum'],
  layoutFree: true,
  op: 'minPool{rank}d',
  ...selectingWindow({ minPoolForward }),
  docs: {
    label: 'Min pooling',
    summary: 'The smallest value of each window.',
    formula: 'y = min over the window of x (= −max(−x))',
    gradient: 'All of it to the argmin: the first of tied minima, the last NaN when the window holds NaN.',
    source: "Flax's min_pool; −maxPool(−x) in PyTorch and TensorFlow",
  },
  onnx: { export: exportMinPool },
});

/**
 * Min pooling over [batch, ...spatial, channels] (or channelsFirst), with the argmin too when
 * `returnIndices` is true.
 * @example minPool2d(x, { kernelSize: 2 })
 */
export type MinPoolOp = SelectingOp<MinPoolOptions>;

export const [minPool1d, minPool2d, minPool3d] = rankedOps(minKind).as<MinPoolOp>();
