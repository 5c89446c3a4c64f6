// maxUnpool1d/2d/3d: the partial inverse of max pooling (PyTorch's MaxUnpoolNd). Every value goes
// to the position its index names in a zero-filled output; the rest stays 0.
//
// Semantics, on every backend (PyTorch 1.13's rules):
// - output size per axis defaults to (in - 1)·stride - 2·padding + kernelSize; an explicit
//   outputSize must lie strictly between that default minus stride and plus stride (what
//   F.max_unpool accepts, so the sizes a max pool with ceil mode or SAME padding came from fit);
// - indices are int32 flat spatial positions within each (batch, channel) plane of the output, as
//   maxPool's returnIndices gives them; one outside [0, output plane size) is an error, checked
//   before anything is written; where two values share an index the later one (row-major) wins;
// - backward gathers: the gradient of each input value is the output gradient at its index (as
//   PyTorch; where indices repeat, every sharer receives it).
import { fail } from '../../errors.js';
import {
  checkDataFormat,
  checkInputRank,
  checkOutputShape,
  perDimension,
  spatialSizes,
} from '../../geometry/layout.js';
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { argmaxGather, argmaxScatter, argmaxScatterAdd } from '../../kernels/reference/argmax.js';
import type { ArgmaxPlanes } from '../../kernels/types.js';
import { checkIndices } from '../../ops/checks.js';
import { MAX_EXTENT, sizeOf, type Shape, type Tensor } from '../../tensor/tensor.js';
import { dataFormatOption } from '../common-options.js';
import { runPoolSteps } from '../compute.js';
import { definePoolingKind, rankedOps, type OpCall, type OpOptions, type PoolWithIndices } from '../kind.js';
import { maxKind } from './max.js';

export interface MaxUnpoolOptions {
  /** The max pool's window: one number, or one per axis. */
  kernelSize: number | readonly number[];
  /** The max pool's stride; defaults to kernelSize. */
  stride?: number | readonly number[];
  /** The max pool's padding per side (symmetric, as PyTorch's); defaults to 0. */
  padding?: number | readonly number[];
  /** Output spatial sizes, to undo a pooling whose input size the default does not recover. */
  outputSize?: number | readonly number[];
  /** 'channelsLast' (the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** Output spatial sizes: PyTorch's default, or an explicit outputSize checked against its range. */
function unpoolSizes(op: string, inSizes: number[], options: OpOptions, spatialDims: SpatialDims): number[] {
  const kernelSize = perDimension(op, 'kernelSize', options.kernelSize, spatialDims, 1);
  const stride = perDimension(op, 'stride', options.stride ?? options.kernelSize, spatialDims, 1);
  const padding = perDimension(op, 'padding', options.padding ?? 0, spatialDims, 0);
  const defaults = inSizes.map((inSize, axis) => (inSize - 1) * stride[axis]! - 2 * padding[axis]! + kernelSize[axis]!);
  if (options.outputSize === undefined) {
    defaults.forEach((size, axis) => {
      const rule = `leaves an output size of ${size} along spatial axis ${axis}; it must be at least 1`;
      if (size < 1) fail(op, 'padding', rule, options.padding);
      const blamed = inSizes[axis]! > 1 && stride[axis]! > kernelSize[axis]! ? 'stride' : 'kernelSize';
      const tooLarge = `gives an output size of ${size} along spatial axis ${axis}; it may be at most 2147483647 (2^31 - 1)`;
      if (size > MAX_EXTENT) fail(op, blamed, tooLarge, options[blamed]);
    });
    return defaults;
  }
  const requested = perDimension(op, 'outputSize', options.outputSize, spatialDims, 1);
  requested.forEach((size, axis) => {
    const [low, high] = [defaults[axis]! - stride[axis]!, defaults[axis]! + stride[axis]!];
    const rule = `must lie strictly between ${low} and ${high} along spatial axis ${axis} (default ± stride, as PyTorch)`;
    if (size <= low || size >= high) fail(op, 'outputSize', rule, options.outputSize);
  });
  return requested;
}

/** Throws unless every index names a cell of the output plane: nothing is written out of place. */
function checkIndexRange(op: string, indices: Int32Array, planeSize: number): void {
  for (let index = 0; index < indices.length; index++) {
    const target = indices[index]!;
    if (target < 0 || target >= planeSize) {
      const rule = `must each lie in [0, ${planeSize}) (the output plane); element ${index} does not`;
      fail(op, 'indices', rule, target);
    }
  }
}

/** The output shape, and the planes of the scatter: the unpool's output is the large side. */
function unpoolLayout(
  inputShape: Shape,
  format: DataFormat,
  inSizes: number[],
  outSizes: number[],
): { outputShape: Shape; planes: ArgmaxPlanes } {
  const channelsLast = format === 'channelsLast';
  const batch = inputShape[0]!;
  const channels = channelsLast ? inputShape[inputShape.length - 1]! : inputShape[1]!;
  const outputShape = channelsLast ? [batch, ...outSizes, channels] : [batch, channels, ...outSizes];
  const planes = { channelsLast, batch, channels, largeSpatial: sizeOf(outSizes), smallSpatial: sizeOf(inSizes) };
  return { outputShape, planes };
}

/** Output shape and argmax planes of an unpooling, from the input's shape and the options. */
function unpoolPlan(op: string, inputShape: Shape, options: OpOptions, rank: SpatialDims) {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, rank, format);
  const inSizes = spatialSizes(inputShape, rank, format);
  const layout = unpoolLayout(inputShape, format, inSizes, unpoolSizes(op, inSizes, options, rank));
  const blamed = options.outputSize === undefined ? 'kernelSize' : 'outputSize';
  checkOutputShape(op, blamed, layout.outputShape, options[blamed]);
  return layout;
}

function computeMaxUnpool({ op, input, tensors: [indices], options, rank }: OpCall): Tensor {
  checkIndices(op, 'indices', indices);
  if (indices!.shape.join() !== input.shape.join()) {
    const rule = `must have the input's shape [${input.shape.join(', ')}]`;
    fail(op, 'indices', rule, `shape [${indices!.shape.join(', ')}]`);
  }
  const { outputShape, planes } = unpoolPlan(op, input.shape, options, rank);
  checkIndexRange(op, indices!.intValues, planes.largeSpatial);
  return runPoolSteps(op, [input], outputShape, {
    retained: [indices!],
    forward: ({ inputs: [x], output }) => {
      output.values.fill(0);
      kernel('argmaxScatter')(x!.values, indices!.intValues, output.values, planes);
    },
    backward: ({ gradOutput, gradInputs: [gradInput] }) =>
      kernel('argmaxGather')(gradOutput.values, indices!.intValues, gradInput!.values, planes),
  }).output;
}

export const maxUnpoolKind = definePoolingKind({
  names: ['maxUnpool', 'unpool'],
  window: 'inverse',
  ranks: [1, 2, 3],
  op: 'maxUnpool{rank}d',
  tensorArguments: ['indices'],
  options: [
    {
      name: 'kernelSize',
      required: 'op',
      doc: "The max pool's window: one number, or one per axis.",
      field: { type: 'pair', min: 1, demo: [2, 2] },
    },
    {
      name: 'stride',
      doc: "The max pool's stride; defaults to kernelSize.",
      field: { type: 'pair', min: 1, demo: [2, 2] },
    },
    { name: 'padding', default: 0, doc: "The max pool's padding per side (symmetric, as PyTorch's)." },
    {
      name: 'outputSize',
      doc: 'Output spatial sizes, to undo a pooling whose input size the default does not recover.',
    },
    dataFormatOption,
  ],
  docs: {
    label: 'Max unpooling',
    summary: "Puts each value back where a max pool's indices say it came from; every other cell is 0.",
    formula: 'y[indices[i]] = x[i] per (batch, channel) plane, 0 elsewhere',
    gradient: 'Each input value receives the output gradient at its index (a gather).',
    source: "PyTorch's MaxUnpoolNd, ONNX MaxUnpool",
  },
  kernels: { argmaxScatterAdd, argmaxScatter, argmaxGather },
  outputShape: (op, shape, options, rank) => unpoolPlan(op, shape, options, rank).outputShape,
  compute: computeMaxUnpool,
  example: (image, options) => {
    const window = { kernelSize: options.kernelSize, stride: options.stride, padding: options.padding };
    const pooled = maxKind.apply(image, [], { ...window, returnIndices: true }, 2) as PoolWithIndices;
    const outputSize =
      options.outputSize ?? spatialSizes(image.shape, 2, checkDataFormat('maxUnpool2d', options.dataFormat));
    return { input: pooled.output, tensors: [pooled.indices], options: { ...options, outputSize }, rank: 2 };
  },
  layer: null,
});

/**
 * Max unpooling of a max pool's output and indices.
 * @example maxUnpool2d(pooled.output, pooled.indices, { kernelSize: 2, outputSize: [10, 7] })
 */
export type MaxUnpoolOp = (input: Tensor, indices: Tensor, options: MaxUnpoolOptions) => Tensor;

export const [maxUnpool1d, maxUnpool2d, maxUnpool3d] = rankedOps(maxUnpoolKind).as<MaxUnpoolOp>();
