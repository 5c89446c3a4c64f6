// Gated pooling: max and average mixed by a learned, input-dependent gate (Lee, Gallagher & Tu,
// "Generalizing Pooling Functions in Convolutional Neural Networks: Mixed, Gated, and Tree", AISTATS 2016).
//
// s = sigmoid(wᵀx_window), y = s·max(x_window) + (1 − s)·mean(x_window). `gateWeights` (w) has one
// weight per window tap, row-major: shape [taps] (one gate for the layer, shared by every channel)
// or [channels, taps] (per channel), taps = the window's volume. Padded taps read as 0 in wᵀx; the
// mean is over in-bounds cells; max as max pooling. Gradients:
// ∂y/∂x_k = s·[k is the max] + (1 − s)/n + (max − mean)·s(1 − s)·w_k and ∂y/∂w_k = (max − mean)·s(1 − s)·x_k.
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { gatedPoolBackward, gatedPoolForward } from '../../kernels/reference/extra/gated-pool.js';
import { Tensor } from '../../tensor/tensor.js';
import { asPoolOptions, windowOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { checkParameterShape, layerChannels, scopeOption } from '../arguments.js';
import { definePoolingKind, type LayerContext, type OpCall } from '../kind.js';

function computeGatedPool({ op, input, tensors: [gateWeights], options, rank }: OpCall): Tensor {
  const geometry = poolGeometry(op, input.shape, rank, asPoolOptions(options));
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  checkParameterShape(op, 'gateWeights', gateWeights, [[taps], [geometry.channels, taps]]);
  return runPoolSteps({
    op,
    inputs: [input, gateWeights!],
    outputShape: geometry.outputShape,
    zeroGradients: true,
    forward: ({ inputs: [x, w], output }) => kernel('gatedPoolForward')(x!.values, w!.values, output.values, geometry),
    backward: ({ inputs: [x, w], gradOutput, gradInputs: [gradInput, gradWeights] }) =>
      kernel('gatedPoolBackward')(
        x!.values,
        w!.values,
        gradOutput.values,
        gradInput!.values,
        gradWeights!.values,
        geometry,
      ),
  }).output;
}

/** The layer's weight 'gate_weights', initially 0 (so s = 1/2): per layer [taps] or per channel [channels, taps]. */
function gatedParameters(context: LayerContext) {
  const kernelSize = context.options.kernelSize as number | readonly number[];
  const taps =
    typeof kernelSize === 'number' ? kernelSize ** context.rank : kernelSize.reduce((total, size) => total * size, 1);
  const perLayer = scopeOption(context.owner, 'gateScope', context.options.gateScope) === 'layer';
  const weights = Tensor.allocate(perLayer ? [taps] : [layerChannels(context), taps]);
  weights.values.fill(0);
  return [{ name: 'gate_weights', tensor: weights, trainable: true }];
}

export const gatedKind = definePoolingKind({
  name: 'gated',
  aliases: [],
  window: 'sliding',
  ranks: [1, 2, 3],
  opNames: { 1: 'gatedPool1d', 2: 'gatedPool2d', 3: 'gatedPool3d' },
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
  requiresOptions: true,
  random: false,
  docs: {
    label: 'Gated pooling',
    summary: 's·max + (1 − s)·mean, where the gate s = sigmoid(w·window) depends on the input.',
    formula: 's = sigmoid(wᵀx), y = s·max(x) + (1 − s)·mean(x) over the window',
    gradient:
      's to the max cell, (1 − s)/n to each cell, plus (max − mean)·s(1 − s)·w_k; ∂y/∂w_k = (max − mean)·s(1 − s)·x_k.',
    source: 'Lee, Gallagher & Tu, AISTATS 2016',
  },
  kernels: { gatedPoolForward, gatedPoolBackward },
  outputShape: (op, shape, options, rank) => poolGeometry(op, shape, rank, asPoolOptions(options)).outputShape,
  compute: computeGatedPool,
  layer: {
    className: 'GatedPooling',
    factory: 'gatedPooling',
    rankSuffix: true,
    keras: false,
    seedConfig: { poolSize: 2 },
    parameters: gatedParameters,
  },
});

const gatedOp = (rank: SpatialDims) => (input: Tensor, gateWeights: Tensor, options: PoolOptions) =>
  gatedKind.apply(input, [gateWeights], options, rank);

/** @example gatedPool1d(x, zeros([2]), { kernelSize: 2 }) */
export const gatedPool1d: (input: Tensor, gateWeights: Tensor, options: PoolOptions) => Tensor = gatedOp(1);
/** @example gatedPool2d(x, zeros([4]), { kernelSize: 2 }) // w = 0: s = 1/2, the mean of max and average */
export const gatedPool2d: (input: Tensor, gateWeights: Tensor, options: PoolOptions) => Tensor = gatedOp(2);
/** @example gatedPool3d(x, zeros([8]), { kernelSize: 2 }) */
export const gatedPool3d: (input: Tensor, gateWeights: Tensor, options: PoolOptions) => Tensor = gatedOp(3);
