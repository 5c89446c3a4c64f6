// Random pooling, as seed article 000 describes it: one value of each window chosen uniformly at
// random in training; its expectation, the in-bounds average, at inference. One uniform draw per
// output element, in output order; the gradient goes to the chosen cell (training) or spreads
// evenly over the in-bounds cells (inference).
import type { SpatialDims } from '../../geometry/layout.js';
import { poolGeometry, type PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import {
  inBoundsAverageBackward,
  inBoundsAverageForward,
  randomPoolForward,
} from '../../kernels/reference/extra/random-pool.js';
import { sizeOf, type Tensor } from '../../tensor/tensor.js';
import { poolingPlanes } from '../argmax-planes.js';
import { asPoolOptions, randomOptions, windowOptions } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { checkTraining, drawUniforms, resolveRandom, type RandomPoolOptions } from '../arguments.js';
import { definePoolingKind, type OpCall } from '../kind.js';

export interface RandomPoolOptions2d extends PoolOptions, RandomPoolOptions {}

function computeRandomPool({ op, input, options, rank }: OpCall): Tensor {
  const geometry = poolGeometry(op, input.shape, rank, asPoolOptions(options));
  if (!checkTraining(op, options.training)) {
    return runPoolSteps({
      op,
      inputs: [input],
      outputShape: geometry.outputShape,
      zeroGradients: true,
      forward: ({ inputs: [x], output }) => kernel('inBoundsAverageForward')(x!.values, output.values, geometry),
      backward: ({ gradOutput, gradInputs: [gradInput] }) =>
        kernel('inBoundsAverageBackward')(gradOutput.values, gradInput!.values, geometry),
    }).output;
  }
  const draws = drawUniforms(resolveRandom(op, options), sizeOf(geometry.outputShape));
  return runPoolSteps({
    op,
    inputs: [input],
    outputShape: geometry.outputShape,
    saved: [{ shape: geometry.outputShape, dtype: 'int32' }],
    zeroGradients: true,
    forward: ({ inputs: [x], output, saved: [chosen] }) =>
      kernel('randomPoolForward')(x!.values, output.values, chosen!.intValues, draws, geometry),
    backward: ({ saved: [chosen], gradOutput, gradInputs: [gradInput] }) =>
      kernel('argmaxScatterAdd')(gradOutput.values, chosen!.intValues, gradInput!.values, poolingPlanes(geometry)),
  }).output;
}

export const randomKind = definePoolingKind({
  name: 'random',
  aliases: [],
  window: 'sliding',
  ranks: [1, 2, 3],
  opNames: { 1: 'randomPool1d', 2: 'randomPool2d', 3: 'randomPool3d' },
  options: [...windowOptions, ...randomOptions],
  requiresOptions: true,
  random: true,
  docs: {
    label: 'Random pooling',
    summary: 'Training: one cell of each window chosen uniformly at random; inference: the average.',
    formula: 'training: y = x_k, k uniform over the in-bounds cells; inference: y = mean',
    gradient: 'Training: all of it to the chosen cell; inference: gradOutput / n to each in-bounds cell.',
    source: 'Seed article 000 (random pooling)',
  },
  kernels: { randomPoolForward, inBoundsAverageForward, inBoundsAverageBackward },
  outputShape: (op, shape, options, rank) => poolGeometry(op, shape, rank, asPoolOptions(options)).outputShape,
  compute: computeRandomPool,
  layer: {
    className: 'RandomPooling',
    factory: 'randomPooling',
    rankSuffix: true,
    keras: false,
    seedConfig: { poolSize: 2 },
  },
});

const randomOp = (rank: SpatialDims) => (input: Tensor, options: RandomPoolOptions2d) =>
  randomKind.apply(input, [], options, rank);

/** @example randomPool1d(x, { kernelSize: 2, training: true, seed: 1 }) */
export const randomPool1d: (input: Tensor, options: RandomPoolOptions2d) => Tensor = randomOp(1);
/** @example randomPool2d(x, { kernelSize: 2, training: true, seed: 1 }) */
export const randomPool2d: (input: Tensor, options: RandomPoolOptions2d) => Tensor = randomOp(2);
/** @example randomPool3d(x, { kernelSize: 2 }) // inference: the average */
export const randomPool3d: (input: Tensor, options: RandomPoolOptions2d) => Tensor = randomOp(3);
