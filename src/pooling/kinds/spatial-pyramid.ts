// spatialPyramidPool: He, Zhang, Ren & Sun's spatial pyramid pooling ("Spatial Pyramid Pooling in Deep
// Convolutional Networks for Visual Recognition", ECCV 2014 / TPAMI 2015).
import { fail } from '../../errors.js';
import { checkDataFormat, checkInputRank, checkOutputShape, isExtent, spatialSizes } from '../../geometry/layout.js';
import type { DataFormat } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import {
  sppBackward,
  sppForward,
  type SppGeometry,
  type SppMode,
} from '../../kernels/reference/extra/spatial-pyramid-pool.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { dataFormatOption } from '../common-options.js';
import { indicesLike, runPoolSteps } from '../compute.js';
import { type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { adaptiveRanges, boxReduce, flattenInLayout, isChannelsLast } from '../../formats/onnx/pool-nodes.js';
import { adaptiveGeometry } from '../../geometry/adaptive-geometry.js';

export interface SpatialPyramidPoolOptions {
  /** Output side of each pyramid level (default [1, 2, 4]): level L contributes L×L cells per channel. */
  levels?: readonly number[];
  /** 'max' (default, as the paper) or 'average'. */
  mode?: SppMode;
  dataFormat?: DataFormat;
}

function sppGeometry(op: string, inputShape: Shape, options: OpOptions): SppGeometry {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, 2, format);
  const levels = (options.levels ?? [1, 2, 4]) as readonly number[];
  if (!Array.isArray(levels) || levels.length === 0 || !levels.every((level) => isExtent(level, 1))) {
    fail(op, 'levels', 'must be a non-empty array of positive integers, each at most 2147483647 (2^31 - 1)', levels);
  }
  const [inHeight, inWidth] = spatialSizes(inputShape, 2, format) as [number, number];
  const channelsLast = format === 'channelsLast';
  const channels = channelsLast ? inputShape[3]! : inputShape[1]!;
  const levelOffsets: number[] = [];
  let features = 0;
  for (const level of levels) {
    levelOffsets.push(features);
    features += channels * level * level;
  }
  const batch = inputShape[0]!;
  checkOutputShape(op, 'levels', [batch, features], levels);
  return Object.freeze({
    channelsLast,
    batch,
    channels,
    inHeight,
    inWidth,
    levels: Object.freeze([...levels]),
    levelOffsets,
    features,
    inputShape: Object.freeze([...inputShape]),
    outputShape: Object.freeze([batch, features]),
  });
}

/**
 * Spatial pyramid pooling of [batch, height, width, channels] (or NCHW with channelsFirst) to a
 * fixed-length [batch, channels·Σ L²] for any height and width. Level L pools the input to L×L
 * with PyTorch's adaptive windows: cell i of an axis of size In covers ⌊i·In/L⌋ .. ⌈(i+1)·In/L⌉ − 1
 * (always non-empty, even when L > In), not the paper's window ⌈In/L⌉ with stride ⌊In/L⌋, which
 * can leave cells empty or unpooled. Each level's L×L×channels block is laid out like the input
 * (channelsLast: cell-major, channel fastest; channelsFirst: channel-major), levels in the given order.
 * Max: NaN propagates, first of ties gets the gradient; average: window mean.
 * @example spatialPyramidPool(x, { levels: [1, 2, 4] }) // [batch, 21·channels]
 */
function modeOf(op: string, options: OpOptions): SppMode {
  const mode = options.mode ?? 'max';
  if (mode !== 'max' && mode !== 'average') fail(op, 'mode', "must be 'max' or 'average'", mode);
  return mode;
}

function computeSpatialPyramid({ op, input, options }: OpCall): Tensor {
  const mode = modeOf(op, options);
  const geometry = sppGeometry(op, input.shape, options);
  return runPoolSteps(op, [input], geometry.outputShape, {
    saved: mode === 'max' ? [indicesLike(geometry.outputShape)] : [],
    zeroGradients: true,
    forward: ({ inputs: [x], output, saved: [argmax] }) =>
      kernel('sppForward')(x!.values, output.values, argmax?.intValues ?? null, geometry, mode),
    backward: ({ saved: [argmax], gradOutput, gradInputs: [gradInput] }) =>
      kernel('sppBackward')(gradOutput.values, argmax?.intValues ?? null, gradInput!.values, geometry, mode),
  }).output;
}

/** Each level is adaptive pooling to L×L, flattened in the layer's layout; the levels are concatenated. */
function exportSpatialPyramid(call: OnnxExportCall) {
  const mode = modeOf(call.owner, call.options);
  const { levels } = sppGeometry(call.owner, call.inputShape, call.options);
  const channelsLast = isChannelsLast(call);
  const format = channelsLast ? 'channelsLast' : 'channelsFirst';
  const flat = levels.map((level) => {
    const cells = adaptiveGeometry(call.owner, call.inputShape, 2, level, format);
    const pooled = boxReduce(call, call.input, adaptiveRanges(cells, 2), mode === 'max' ? 'max' : 'mean');
    return flattenInLayout(call, pooled, channelsLast);
  });
  const output = flat.length === 1 ? flat[0]! : call.graph.apply('Concat', flat, { axis: 1 }, call.owner);
  return { output, layout: 'flat' as const };
}

export const spatialPyramidKind = standardKind({
  names: ['spatialPyramid', 'spp', 'pyramid'],
  window: 'region',
  ranks: [2],
  op: 'spatialPyramidPool',
  options: [
    {
      name: 'levels',
      default: [1, 2, 4],
      inConfig: 'always',
      doc: 'Output side of each pyramid level: level L contributes L×L cells per channel.',
      field: { type: 'list', demo: [1, 2, 4] },
    },
    {
      name: 'mode',
      default: 'max',
      inConfig: 'always',
      doc: "'max' (as the paper) or 'average' within each cell of each level.",
      field: { type: 'select', choices: ['max', 'average'], demo: 'max' },
    },
    dataFormatOption,
  ],
  docs: {
    label: 'Spatial pyramid pooling',
    summary: 'Pools the whole input at several grid sizes (levels) into one fixed-length vector.',
    formula: 'y = concat over levels L of the L×L adaptive max (or average) pooling, flattened per level',
    gradient: 'Max: all of it to each cell’s argmax; average: shared evenly over the cell.',
    source: 'He, Zhang, Ren & Sun, ECCV 2014 / TPAMI 2015',
  },
  kernels: { sppForward, sppBackward },
  outputShape: (op, shape, options) => {
    modeOf(op, options);
    return sppGeometry(op, shape, options).outputShape;
  },
  compute: computeSpatialPyramid,
  layer: { className: 'SpatialPyramidPooling', seedConfig: { levels: [1, 2, 4] } },
  onnx: { export: exportSpatialPyramid },
});

/**
 * Spatial pyramid pooling of [batch, height, width, channels] (or NCHW with channelsFirst) to a
 * fixed-length [batch, channels·Σ L²] for any height and width. Level L pools the input to L×L
 * with PyTorch's adaptive windows: cell i of an axis of size In covers ⌊i·In/L⌋ .. ⌈(i+1)·In/L⌉ − 1
 * (always non-empty, even when L > In), not the paper's window ⌈In/L⌉ with stride ⌊In/L⌋, which
 * can leave cells empty or unpooled. Each level's L×L×channels block is laid out like the input
 * (channelsLast: cell-major, channel fastest; channelsFirst: channel-major), levels in the given order.
 * Max: NaN propagates, first of ties gets the gradient; average: window mean.
 * @example spatialPyramidPool(x, { levels: [1, 2, 4] }) // [batch, 21·channels]
 */
export function spatialPyramidPool(input: Tensor, options: SpatialPyramidPoolOptions = {}): Tensor {
  return spatialPyramidKind.apply(input, [], options, 2);
}
