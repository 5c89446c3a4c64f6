// fractionalMaxPool2d/3d: Graham's fractional max pooling ("Fractional Max-Pooling", 2014), equal to
// PyTorch's FractionalMaxPool2d/3d (output, indices, gradient) when given a pool size and the same samples.
import {
  checkDataFormat,
  checkInputRank,
  spatialSizes,
  type DataFormat,
  type SpatialDims,
} from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import {
  fractionalMaxPoolForward,
  type FractionalGeometry,
} from '../../kernels/reference/extra/fractional-max-pool.js';
import type { Random } from '../../tensor/random.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { poolingPlanes } from '../argmax-planes.js';
import { resolveRandom } from '../arguments.js';
import { dataFormatOption, returnIndicesOption } from '../common-options.js';
import { runSelection } from '../compute.js';
import type { ConfigValue } from '../../nn/layer.js';
import {
  booleanOption,
  rankedOps,
  type LayerCall,
  type LayerContext,
  type OpCall,
  type OpOptions,
  type PoolWithIndices,
  type SelectingOp,
} from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { planeRegions, UNIT_AXIS, type AxisPlan } from './fractional-max-geometry.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { boxReduce, spatial, type AxisRanges } from '../../formats/onnx/pool-nodes.js';
import { checkSamples, resolveSizes } from './fractional-max-options.js';

export interface FractionalMaxPoolOptions {
  /** Output size per spatial axis (one number for all), or give outputRatio. */
  outputSize?: number | readonly number[];
  /** Output size = floor(input size · ratio) per axis, ratio in (0, 1) (PyTorch's output_ratio). */
  outputRatio?: number | readonly number[];
  /** PyTorch's fixed pool size per axis; without it, Graham's boundary sequences are used. */
  kernelSize?: number | readonly number[];
  /** Graham's sequences (no kernelSize): 'pseudoRandom' (default, from u) or 'random' (shuffled increments). */
  sequence?: 'pseudoRandom' | 'random';
  /** Graham's sequences: regions [a_i, a_{i+1}] overlap by one cell (default false: disjoint). */
  overlapping?: boolean;
  /**
   * The u of every plane and axis, in [0, 1), shaped [batch, channels, spatialDims] in PyTorch's order
   * of `_random_samples` (2D: width then height; 3D: depth, height, width). Drawn from seed/random if absent.
   */
  samples?: Tensor | Float32Array | readonly number[];
  seed?: number;
  random?: Random;
  returnIndices?: boolean;
  dataFormat?: DataFormat;
}

/** Builds sizes and per-plane regions, drawing samples (or permutations) plane by plane. */
function fractionalGeometry(op: string, inputShape: Shape, spatialDims: 2 | 3, options: OpOptions): FractionalGeometry {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, spatialDims, format);
  const inSizes = spatialSizes(inputShape, spatialDims, format);
  const plans = resolveSizes(op, inSizes, spatialDims, options);
  const channelsLast = format === 'channelsLast';
  const [batch, channels] = channelsLast
    ? [inputShape[0]!, inputShape[inputShape.length - 1]!]
    : [inputShape[0]!, inputShape[1]!];
  const planes = batch * channels;
  const given = checkSamples(op, options.samples, planes, spatialDims, plans);
  const random = given === null ? resolveRandom(op, options) : null;
  const padded: AxisPlan[] = spatialDims === 2 ? [UNIT_AXIS, ...plans] : plans;
  const regions = planeRegions(padded, planes, spatialDims, given, random);
  const outSizes = plans.map((plan) => plan.outSize);
  const [depth, height, width] = padded;
  return Object.freeze({
    spatialDims,
    channelsLast,
    batch,
    channels,
    inDepth: depth!.inSize,
    inHeight: height!.inSize,
    inWidth: width!.inSize,
    outDepth: depth!.outSize,
    outHeight: height!.outSize,
    outWidth: width!.outSize,
    depthStarts: regions[0]!.starts,
    depthEnds: regions[0]!.ends,
    heightStarts: regions[1]!.starts,
    heightEnds: regions[1]!.ends,
    widthStarts: regions[2]!.starts,
    widthEnds: regions[2]!.ends,
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze(channelsLast ? [batch, ...outSizes, channels] : [batch, channels, ...outSizes]),
  });
}

function computeFractionalMax({ op, input, options, rank }: OpCall): Tensor | PoolWithIndices {
  const returnIndices = booleanOption(op, 'returnIndices', options.returnIndices, false);
  const geometry = fractionalGeometry(op, input.shape, rank as 2 | 3, options);
  return runSelection(op, input, geometry.outputShape, returnIndices, {
    forward: (values, output, indices) => kernel('fractionalMaxPoolForward')(values, output, indices!, geometry),
    backward: (gradOutput, indices, gradInput) =>
      kernel('argmaxScatterAdd')(gradOutput, indices, gradInput, poolingPlanes(geometry)),
    scatters: true,
    alwaysIndices: true,
  });
}

/** Output shape from the sizes alone (the regions need the draws, the shape does not). */
function fractionalOutputShape(op: string, inputShape: Shape, options: OpOptions, rank: SpatialDims): Shape {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, rank, format);
  const outSizes = resolveSizes(op, spatialSizes(inputShape, rank, format), rank, options).map((plan) => plan.outSize);
  const channelsLast = format === 'channelsLast';
  const channels = channelsLast ? inputShape[inputShape.length - 1]! : inputShape[1]!;
  return channelsLast ? [inputShape[0]!, ...outSizes, channels] : [inputShape[0]!, channels, ...outSizes];
}

/**
 * A layer draws fresh regions from the call's Random in training; at inference it uses the
 * pseudo-random regions of u = 0.5 on every plane and axis (deterministic; Graham instead averages
 * several random draws at test time).
 */
function fractionalCallArguments(context: LayerContext, input: Tensor, weights: readonly Tensor[], call: LayerCall) {
  const { samples: _samples, seed: _seed, ...options } = context.options;
  if (call.training) return { tensors: weights, options: { ...options, random: call.random } };
  return { tensors: weights, options: inferenceOptions(options, input.shape, context.rank) };
}

/** A layer's options at inference: the pseudo-random regions of u = 0.5 on every plane and axis. */
function inferenceOptions(options: OpOptions, shape: Shape, rank: SpatialDims): OpOptions {
  const channelAxis = (options.dataFormat ?? 'channelsLast') === 'channelsLast' ? rank + 1 : 1;
  const planes = shape[0]! * shape[channelAxis]!;
  const samples = new Float32Array(planes * rank).fill(0.5);
  return { ...options, sequence: 'pseudoRandom', samples };
}

/** At inference every plane has the same regions (u = 0.5): a max over boxes, exported axis by axis. */
function exportFractionalMax(call: OnnxExportCall) {
  const { samples: _samples, seed: _seed, ...options } = call.options;
  const rank = call.rank as 2 | 3;
  const geometry = fractionalGeometry(
    call.owner,
    call.inputShape,
    rank,
    inferenceOptions(options, call.inputShape, rank),
  );
  const axes: [Int32Array, Int32Array, number][] = [
    [geometry.depthStarts, geometry.depthEnds, geometry.outDepth],
    [geometry.heightStarts, geometry.heightEnds, geometry.outHeight],
    [geometry.widthStarts, geometry.widthEnds, geometry.outWidth],
  ];
  const ranges = axes
    .slice(3 - rank)
    .map(([starts, ends, outSize]): AxisRanges =>
      Array.from({ length: outSize }, (_, cell) => [starts[cell]!, ends[cell]!]),
    );
  return spatial(boxReduce(call, call.input, ranges, 'max'));
}

const sizeList = (value: unknown): ConfigValue => (value === undefined ? null : (value as ConfigValue));

export const fractionalMaxKind = standardKind({
  names: ['fractionalMax', 'fractional'],
  layoutFree: true,
  window: 'region',
  ranks: [2, 3],
  op: 'fractionalMaxPool{rank}d',
  options: [
    {
      name: 'outputSize',
      inConfig: 'always',
      normalize: (_owner, value) => sizeList(value),
      doc: 'Output size per spatial axis (one number for all); or give outputRatio.',
      field: { type: 'pair', min: 1, demo: [3, 3] },
    },
    {
      name: 'outputRatio',
      inConfig: 'always',
      layerDefault: (config) =>
        config.outputSize === undefined || config.outputSize === null ? Math.SQRT1_2 : undefined,
      normalize: (_owner, value) => sizeList(value),
      doc: "Output size = floor(input size · ratio) per axis, ratio in (0, 1) (PyTorch's output_ratio; layers default to Graham's 1/√2 when no size is given).",
    },
    {
      name: 'kernelSize',
      configName: 'poolSize',
      inConfig: 'always',
      normalize: (_owner, value) => sizeList(value),
      doc: "PyTorch's fixed pool size per axis; without it, Graham's boundary sequences are used.",
    },
    {
      name: 'sequence',
      default: 'pseudoRandom',
      inConfig: 'always',
      doc: "Graham's sequences (no kernelSize): 'pseudoRandom' (from u) or 'random' (shuffled increments).",
      field: { type: 'select', choices: ['pseudoRandom', 'random'], demo: 'pseudoRandom' },
    },
    {
      name: 'overlapping',
      default: false,
      inConfig: 'always',
      doc: "Graham's sequences: regions [a_i, a_{i+1}] overlap by one cell (default false: disjoint).",
      field: { type: 'checkbox', demo: false },
    },
    {
      name: 'samples',
      configName: null,
      doc: "The u of every plane and axis in [0, 1), shaped [batch, channels, spatialDims] in PyTorch's order of _random_samples; drawn from seed/random if absent.",
    },
    {
      name: 'seed',
      configName: null,
      doc: 'Seed of a fresh Random for the draws.',
      field: { type: 'number', min: 0, step: 1, demo: 1 },
    },
    { name: 'random', configName: null, doc: 'The Random to draw from (advanced by the call).' },
    returnIndicesOption,
    dataFormatOption,
  ],
  docs: {
    label: 'Fractional max pooling',
    summary: 'Max over regions of varying size chosen at random, for outputs not a whole factor smaller.',
    formula:
      'y_i = max over region i; region boundaries a_i = ⌈α(i + u)⌉ − ⌈αu⌉, α = In/Out (or PyTorch’s fixed-size starts)',
    gradient: 'All of it to each region’s argmax (first of ties, last NaN).',
    source: 'Graham, "Fractional Max-Pooling" (2014); PyTorch’s FractionalMaxPool2d/3d',
  },
  kernels: { fractionalMaxPoolForward },
  outputShape: fractionalOutputShape,
  compute: computeFractionalMax,
  layer: {
    seedConfig: { outputRatio: Math.SQRT1_2 },
    callArguments: fractionalCallArguments,
  },
  onnx: { export: exportFractionalMax },
});

/**
 * Fractional max pooling, with the region argmax too when `returnIndices` is true.
 * @example fractionalMaxPool2d(x, { outputRatio: 0.7, kernelSize: 2, seed: 1 }) // PyTorch's FractionalMaxPool2d
 */
export type FractionalMaxPoolOp = SelectingOp<FractionalMaxPoolOptions>;

export const [fractionalMaxPool2d, fractionalMaxPool3d] = rankedOps(fractionalMaxKind).as<FractionalMaxPoolOp>();
