// spatialPyramidPool: He, Zhang, Ren & Sun's spatial pyramid pooling ("Spatial Pyramid Pooling in Deep
// Convolutional Networks for Visual Recognition", ECCV 2014 / TPAMI 2015).
import { recordGrad } from '../../../autograd/tape.js';
import { fail } from '../../../errors.js';
import { checkDataFormat, checkInputRank, spatialSizes, type DataFormat } from '../../../geometry/layout.js';
import { extraKernel, type SppGeometry, type SppMode } from '../../../kernels/reference/extra/index.js';
import { Tensor, type Shape } from '../../../tensor/tensor.js';
import { checkOptions, checkTensor } from '../../checks.js';
import { zeroTensor } from './common.js';

export interface SpatialPyramidPoolOptions {
  /** Output side of each pyramid level (default [1, 2, 4]): level L contributes L×L cells per channel. */
  levels?: readonly number[];
  /** 'max' (default, as the paper) or 'average'. */
  mode?: SppMode;
  dataFormat?: DataFormat;
}

export function sppGeometry(op: string, inputShape: Shape, options: SpatialPyramidPoolOptions): SppGeometry {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, inputShape, 2, format);
  const levels = options.levels ?? [1, 2, 4];
  if (
    !Array.isArray(levels) ||
    levels.length === 0 ||
    !levels.every((level) => Number.isInteger(level) && level >= 1)
  ) {
    fail(op, 'levels', 'must be a non-empty array of positive integers', levels);
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
export function spatialPyramidPool(input: Tensor, options: SpatialPyramidPoolOptions = {}): Tensor {
  const op = 'spatialPyramidPool';
  checkTensor(op, 'input', input);
  const checked = checkOptions(op, options, false);
  const mode = checked.mode ?? 'max';
  if (mode !== 'max' && mode !== 'average') fail(op, 'mode', "must be 'max' or 'average'", mode);
  const geometry = sppGeometry(op, input.shape, checked);
  const output = Tensor.allocate(geometry.outputShape);
  const argmax = mode === 'max' ? Tensor.allocate(geometry.outputShape, 'int32') : null;
  extraKernel('sppForward')(input.values, output.values, argmax?.intValues ?? null, geometry, mode);
  recordGrad(
    op,
    output,
    [input],
    (gradOutput) => {
      const gradInput = zeroTensor(input.shape);
      extraKernel('sppBackward')(gradOutput.values, argmax?.intValues ?? null, gradInput.values, geometry, mode);
      return [gradInput];
    },
    argmax === null ? [] : [argmax],
  );
  if (!output.requiresGrad) argmax?.dispose();
  return output;
}
