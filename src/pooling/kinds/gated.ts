// Gated pooling: max and average mixed by a learned, input-dependent gate (Lee, Gallagher & Tu,
// "Generalizing Pooling Functions in Convolutional Neural Networks: Mixed, Gated, and Tree", AISTATS 2016).
//
// s = sigmoid(wᵀx_window), y = s·max(x_window) + (1 − s)·mean(x_window). `gateWeights` (w) has one
// weight per window tap, row-major: shape [taps] (one gate for the layer, shared by every channel)
// or [channels, taps] (per channel), taps = the window's volume. Padded taps read as 0 in wᵀx; the
// mean is over in-bounds cells; max as max pooling. Gradients:
// ∂y/∂x_k = s·[k is the max] + (1 − s)/n + (max − mean)·s(1 − s)·w_k and ∂y/∂w_k = (max − mean)·s(1 − s)·x_k.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { gatedPoolBackward, gatedPoolForward } from '../../kernels/reference/extra/gated-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { windowOptions } from '../common-options.js';
import { weightedWindowOp } from '../arguments.js';
import { KEPT_GATE_PLANES, keptSpec } from './forward-keep.js';
import { rankedOps } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import { tapWeights, tapWeightShapes } from './learnable-parameters.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { blend, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, maxAndMean, windowWeightedSum } from '../../formats/onnx/pool-window.js';

/** The layer's weight 'gate_weights', initially 0 (so s = 1/2): per layer [taps] or per channel [channels, taps]. */
const gatedWeights = tapWeights('gate_weights', 'gateScope', () => 0);

/** s = Sigmoid(wᵀ window) as a depthwise Conv of the gate weights, then s·MaxPool + (1 − s)·AveragePool. */
function exportGatedPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const { geometry, axes } = exportWindow(call);
  const { max, mean } = maxAndMean(call, axes, geometry.channels);
  const gateSum = windowWeightedSum(call, call.input, axes, geometry.channels, call.weights[0]!.values);
  return spatial(blend(call, graph.apply('Sigmoid', [gateSum], {}, owner), max, mean));
}

export const gatedKind = slidingWindowKind({
  names: ['gated'],
  layoutFree: true,
  op: 'gatedPool{rank}d',
  tensorArguments: ['gateWeights'],
  kernels: { gatedPoolForward, gatedPoolBackward },
  compute: (call) =>
    weightedWindowOp(call, 'gateWeights', tapWeightShapes, 'gatedPool', (geometry) =>
      keptSpec(geometry, KEPT_GATE_PLANES, 0),
    ),
  options: [
    ...windowOptions,
    {
      name: 'gateScope',
      layerOnly: true,
      default: 'layer',
      inConfig: 'always',
      doc: "'layer': one gate weight vector for the layer; 'channel': one per channel.",
    },
  ],
  docs: {
    label: 'Gated pooling',
    summary: 's·max + (1 − s)·mean, where the gate s = sigmoid(w·window) depends on the input.',
    formula: 's = sigmoid(wᵀx), y = s·max(x) + (1 − s)·mean(x) over the window',
    gradient:
      's to the max cell, (1 − s)/n to each cell, plus (max − mean)·s(1 − s)·w_k; ∂y/∂w_k = (max − mean)·s(1 − s)·x_k.',
    source: 'Lee, Gallagher & Tu, AISTATS 2016',
  },
  layer: { weights: gatedWeights },
  onnx: { export: exportGatedPool },
});

/**
 * Gated pooling with the gate weights, shape [taps] or [channels, taps].
 * @example gatedPool2d(x, zeros([4]), { kernelSize: 2 }) // w = 0: s = 1/2, the mean of max and average
 */
export type GatedPoolOp = (input: Tensor, gateWeights: Tensor, options: PoolOptions) => Tensor;

export const [gatedPool1d, gatedPool2d, gatedPool3d] = rankedOps(gatedKind).as<GatedPoolOp>();
