// Mixed pooling: max and average mixed by a learnable proportion (Lee, Gallagher & Tu, "Generalizing
// Pooling Functions in Convolutional Neural Networks: Mixed, Gated, and Tree", AISTATS 2016).
//
// y = a·max(x_window) + (1 − a)·mean(x_window), the mean over the window's in-bounds cells. `alpha`
// (a) has shape [1] (one per layer) or [channels] (one per channel); it is not clamped, so a
// learned a may leave [0, 1] (start it at 0.5). Gradients: ∂y/∂x = a at the max cell (first of
// ties; NaN propagates as in max pooling) + (1 − a)/n at every in-bounds cell; ∂y/∂a = max − mean.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { mixedPoolBackward, mixedPoolForward } from '../../kernels/reference/extra/mixed-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { windowOptions } from '../common-options.js';
import { weightedWindow } from '../arguments.js';
import { rankedOps } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import { scalarWeights, scalarWeightShapes } from './learnable-parameters.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { blend, channelConstant, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, maxAndMean } from '../../formats/onnx/pool-window.js';

/** The layer's weight 'alpha': one for the layer or one per channel, all at alphaInitial. */
const mixedWeights = scalarWeights({ weight: 'alpha', scope: 'alphaScope', initial: 'alphaInitial', fallback: 0.5 });

/** a·MaxPool + (1 − a)·AveragePool (in-bounds mean), a a constant: per layer, or [channels, 1, ...]. */
function exportMixedPool(call: OnnxExportCall) {
  const { geometry, axes } = exportWindow(call);
  const { max, mean } = maxAndMean(call, axes, geometry.channels);
  return spatial(blend(call, channelConstant(call, 'alpha', call.weights[0]!.values, call.rank), max, mean));
}

export const mixedKind = slidingWindowKind({
  names: ['mixed'],
  layoutFree: true,
  op: 'mixedPool{rank}d',
  ...weightedWindow('mixedPool', 'alpha', scalarWeightShapes, {
    mixedPoolForward,
    mixedPoolBackward,
  }),
  options: [
    ...windowOptions,
    {
      name: 'alphaScope',
      layerOnly: true,
      default: 'layer',
      inConfig: 'always',
      doc: "'layer': one proportion a for the layer; 'channel': one per channel.",
    },
    {
      name: 'alphaInitial',
      layerOnly: true,
      default: 0.5,
      inConfig: 'always',
      doc: 'The initial proportion a (0.5: halfway between max and average).',
      field: { type: 'number', step: 0.1, demo: 0.5 },
    },
  ],
  docs: {
    label: 'Mixed pooling',
    summary: 'a·max + (1 − a)·mean of each window, with a learnable proportion a.',
    formula: 'y = a·max(x) + (1 − a)·mean(x) over the window',
    gradient: 'a to the max cell plus (1 − a)/n to each in-bounds cell; ∂y/∂a = max − mean.',
    source: 'Lee, Gallagher & Tu, AISTATS 2016',
  },
  layer: { weights: mixedWeights },
  onnx: { export: exportMixedPool },
});

/**
 * Mixed pooling with the proportion `alpha`, shape [1] or [channels].
 * @example mixedPool2d(x, tensor([0.5]), { kernelSize: 2 })
 */
export type MixedPoolOp = (input: Tensor, alpha: Tensor, options: PoolOptions) => Tensor;

export const [mixedPool1d, mixedPool2d, mixedPool3d] = rankedOps(mixedKind).as<MixedPoolOp>();
