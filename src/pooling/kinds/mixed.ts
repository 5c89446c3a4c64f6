// Mixed pooling: max and average mixed by a learnable proportion (Lee, Gallagher & Tu, "Generalizing
// Pooling Functions in Convolutional Neural Networks: Mixed, Gated, and Tree", AISTATS 2016).
//
// y = a·max(x_window) + (1 − a)·mean(x_window), the mean over the window's in-bounds cells. `alpha`
// (a) has shape [1] (one per layer) or [channels] (one per channel); it is not clamped, so a
// learned a may leave [0, 1] (start it at 0.5). Gradients: ∂y/∂x = a at the max cell (first of
// ties; NaN propagates as in max pooling) + (1 − a)/n at every in-bounds cell; ∂y/∂a = max − mean.
import { fail } from '../../errors.js';
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import { mixedPoolBackward, mixedPoolForward } from '../../kernels/reference/extra/mixed-pool.js';
import { Tensor } from '../../tensor/tensor.js';
import { asPoolOptions, windowOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { checkParameterShape, layerChannels, scopeOption } from '../arguments.js';
import { definePoolingKind, type LayerContext, type OpCall } from '../kind.js';

function computeMixedPool({ op, input, tensors: [alpha], options, rank }: OpCall): Tensor {
  const geometry = poolGeometry(op, input.shape, rank, asPoolOptions(options));
  checkParameterShape(op, 'alpha', alpha, [[1], [geometry.channels]]);
  return runPoolSteps({
    op,
    inputs: [input, alpha!],
    outputShape: geometry.outputShape,
    zeroGradients: true,
    forward: ({ inputs: [x, a], output }) => kernel('mixedPoolForward')(x!.values, a!.values, output.values, geometry),
    backward: ({ inputs: [x, a], gradOutput, gradInputs: [gradInput, gradAlpha] }) =>
      kernel('mixedPoolBackward')(
        x!.values,
        a!.values,
        gradOutput.values,
        gradInput!.values,
        gradAlpha!.values,
        geometry,
      ),
  }).output;
}

/** The layer's weight 'alpha': one for the layer or one per channel, all at alphaInitial. */
function mixedParameters(context: LayerContext) {
  const initial = context.options.alphaInitial ?? 0.5;
  if (typeof initial !== 'number' || !Number.isFinite(initial))
    fail(context.owner, 'alphaInitial', 'must be a finite number', initial);
  const size =
    scopeOption(context.owner, 'alphaScope', context.options.alphaScope) === 'layer' ? 1 : layerChannels(context);
  const alpha = Tensor.allocate([size]);
  alpha.values.fill(initial);
  return [{ name: 'alpha', tensor: alpha, trainable: true }];
}

export const mixedKind = definePoolingKind({
  name: 'mixed',
  aliases: [],
  window: 'sliding',
  ranks: [1, 2, 3],
  opNames: { 1: 'mixedPool1d', 2: 'mixedPool2d', 3: 'mixedPool3d' },
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
  requiresOptions: true,
  random: false,
  docs: {
    label: 'Mixed pooling',
    summary: 'a·max + (1 − a)·mean of each window, with a learnable proportion a.',
    formula: 'y = a·max(x) + (1 − a)·mean(x) over the window',
    gradient: 'a to the max cell plus (1 − a)/n to each in-bounds cell; ∂y/∂a = max − mean.',
    source: 'Lee, Gallagher & Tu, AISTATS 2016',
  },
  kernels: { mixedPoolForward, mixedPoolBackward },
  outputShape: (op, shape, options, rank) => poolGeometry(op, shape, rank, asPoolOptions(options)).outputShape,
  compute: computeMixedPool,
  layer: {
    className: 'MixedPooling',
    factory: 'mixedPooling',
    rankSuffix: true,
    keras: false,
    seedConfig: { poolSize: 2 },
    parameters: mixedParameters,
  },
});

const mixedOp = (rank: SpatialDims) => (input: Tensor, alpha: Tensor, options: PoolOptions) =>
  mixedKind.apply(input, [alpha], options, rank);

/** @example mixedPool1d(x, tensor([0.5]), { kernelSize: 2 }) */
export const mixedPool1d: (input: Tensor, alpha: Tensor, options: PoolOptions) => Tensor = mixedOp(1);
/** @example mixedPool2d(x, tensor([0.5]), { kernelSize: 2 }) */
export const mixedPool2d: (input: Tensor, alpha: Tensor, options: PoolOptions) => Tensor = mixedOp(2);
/** @example mixedPool3d(x, tensor([0.5]), { kernelSize: 2 }) */
export const mixedPool3d: (input: Tensor, alpha: Tensor, options: PoolOptions) => Tensor = mixedOp(3);
