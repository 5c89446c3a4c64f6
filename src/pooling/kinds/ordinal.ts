// Ordinal pooling (Kumar, "Ordinal Pooling Networks: For Preserving Information over Shrinking Feature
// Maps", 2018): each window's cells sorted largest first, y = Σ_r w_r·x_(r) with learnable rank
// weights w, so a layer learns anything from max pooling (w = [1, 0, …]) to average pooling (w = 1/n).
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry; only in-bounds cells are ranked, and a
//   window of n < taps cells (padding, ceil mode) uses the first n rank weights;
// - `rankWeights` has shape [taps] (shared by every channel) or [channels, taps] (one set per feature
//   map, as the paper), taps = the window's volume; the weights are used as given (not normalised);
// - ties keep window order (a stable sort): the earlier cell takes the earlier rank and its weight;
// - NaN ranks above every number (as in max pooling, NaN wins), so a window holding NaN outputs NaN;
//   ±Infinity rank as values (0·∞ = NaN where a zero weight meets an infinite cell, as IEEE says);
// - gradients: ∂y/∂x_(r) = w_r, ∂y/∂w_r = x_(r); a window with no in-bounds cell outputs 0.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { ordinalPoolBackward, ordinalPoolForward } from '../../kernels/reference/extra/ordinal-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { weightedWindow } from '../arguments.js';
import { windowOptions } from '../common-options.js';
import { rankedOps } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import { tapWeights, tapWeightShapes } from './learnable-parameters.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import { rankedSum, sortedCells, windowCells } from '../../formats/onnx/window-cells.js';

/** The layer's weight 'rank_weights', per channel [channels, taps] (the paper's) or shared [taps], all 1/taps: average pooling to start. */
const ordinalWeights = tapWeights('rank_weights', 'rankScope', (taps) => 1 / taps);

/**
 * Each window's cells sorted largest first (TopK), times the rank weights ([taps] or [channels, taps]),
 * summed over the first n ranks of a window of n in-bounds cells (a constant mask).
 */
function exportOrdinalPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const cells = windowCells(call, call.input, exportWindow(call).axes);
  const weights = call.weights[0]!;
  const trailing = Array<number>(call.rank).fill(1);
  const shape = weights.shape.length === 1 ? [weights.size, ...trailing] : [...weights.shape, ...trailing];
  const weighted = graph.apply(
    'Mul',
    [sortedCells(cells, true), graph.floats(`${owner}/rank_weights`, weights.values, shape)],
    {},
    owner,
  );
  return spatial(rankedSum(cells, weighted, (rank, count) => rank < count));
}

export const ordinalKind = slidingWindowKind({
  names: ['ordinal'],
  layoutFree: true,
  op: 'ordinalPool{rank}d',
  ...weightedWindow('ordinalPool', 'rankWeights', tapWeightShapes, { ordinalPoolForward, ordinalPoolBackward }),
  options: [
    ...windowOptions,
    {
      name: 'rankScope',
      layerOnly: true,
      default: 'channel',
      inConfig: 'always',
      doc: "'channel': one set of rank weights per channel (the paper's); 'layer': one set for the layer.",
    },
  ],
  docs: {
    label: 'Ordinal pooling',
    summary: 'A learned weighting of each window’s values by rank, largest first: from max to average pooling.',
    formula: 'y = Σ_r w_r·x_(r), x_(1) ≥ x_(2) ≥ … the window sorted largest first',
    gradient: 'w_r to the cell of rank r (ties: window order); ∂y/∂w_r = x_(r).',
    source: 'Kumar, arXiv:1804.02702, 2018',
  },
  layer: { weights: ordinalWeights },
  onnx: { export: exportOrdinalPool },
});

/**
 * Ordinal pooling (Kumar, arXiv:1804.02702, 2018): y = Σ_r w_r·x_(r), the window sorted largest first,
 * with the rank weights w (learnable), shape [taps] or [channels, taps].
 * @example ordinalPool2d(x, tensor([1, 0, 0, 0]), { kernelSize: 2 }) // max pooling
 */
export type OrdinalPoolOp = (input: Tensor, rankWeights: Tensor, options: PoolOptions) => Tensor;

export const [ordinalPool1d, ordinalPool2d, ordinalPool3d] = rankedOps(ordinalKind).as<OrdinalPoolOp>();
