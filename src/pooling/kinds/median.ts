// Median pooling: the median of each window (a robust, edge-preserving downsampling; torch.median
// over unfolded windows in PyTorch, kornia's median blur with a stride).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry; the median is over in-bounds cells only
//   (padding is not a value);
// - an even number of cells gives the lower of the two middle values, as torch.median (not their
//   mean, as numpy.median): the output is always one of the window's cells, so median pooling
//   stays a selection like max and min pooling (one cell gets the gradient, returnIndices works);
// - among cells equal to the median, the first in window order (row-major) is chosen and gets the
//   whole gradient (torch.median's choice among ties is unspecified; it does not promise the first);
// - ±Infinity are ordinary values; NaN propagates: a window holding NaN outputs NaN and its first
//   NaN is chosen (torch.median's rule); a window with no in-bounds cell (dilation) outputs 0 and
//   passes no gradient.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { medianPoolForward } from '../../kernels/reference/extra/median-pool.js';
import { rankedOps, type SelectingOp } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import { selectingWindow } from './selection-steps.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import { rankedSum, sortedCells, windowCells } from '../../formats/onnx/window-cells.js';

export interface MedianPoolOptions extends PoolOptions {
  /** Also return the chosen cell of every window (flat spatial indices, as a max pool's). */
  returnIndices?: boolean;
}

/**
 * Each window's cells sorted ascending (TopK), then rank ⌊(n−1)/2⌋ of each window's n in-bounds cells
 * picked by a constant mask (Where, ReduceSum of one value), NaN where the window holds NaN. returnIndices has no export.
 */
function exportMedianPool(call: OnnxExportCall) {
  const cells = windowCells(call, call.input, exportWindow(call).axes);
  const middle = (rank: number, count: number) => rank === Math.floor((count - 1) / 2);
  return spatial(rankedSum(cells, sortedCells(cells, false), middle));
}

export const medianKind = slidingWindowKind({
  names: ['median'],
  layoutFree: true,
  op: 'medianPool{rank}d',
  ...selectingWindow({ medianPoolForward }),
  docs: {
    label: 'Median pooling',
    summary: 'The median of each window; of an even count, the lower middle value (torch.median).',
    formula: 'y = x_(⌊(n−1)/2⌋) of the window sorted ascending (n cells, counted from 0)',
    gradient: 'All of it to the chosen cell: the first in window order equal to the median; the first NaN.',
    source: 'torch.median over unfolded windows; median filtering with a stride',
  },
  onnx: { export: exportMedianPool },
});

/**
 * Median pooling over [batch, ...spatial, channels] (or channelsFirst): y = the median of each
 * window's in-bounds cells, the lower middle value of an even count (torch.median's rule), with the
 * chosen cells (the first of ties) too when `returnIndices` is true.
 * @example medianPool2d(x, { kernelSize: 3, stride: 2, padding: 1 })
 */
export type MedianPoolOp = SelectingOp<MedianPoolOptions>;

export const [medianPool1d, medianPool2d, medianPool3d] = rankedOps(medianKind).as<MedianPoolOp>();
