// RoI pooling: Girshick, "Fast R-CNN", ICCV 2015; exactly torchvision's roi_pool (0.14) and ONNX's
// MaxRoiPool as ONNX Runtime computes it, forward, with torchvision's backward.
//
// Each box (x1, y1, x2, y2)·spatialScale is rounded to whole pixels (C's round, half away from
// zero, in float32), taken end-inclusive (a malformed box becomes 1×1), and cut into outputSize
// bins: bin i spans floor(i·h/out) to ceil((i+1)·h/out) pixels from the box's start, clipped to the
// image. A bin keeps its maximum, running from −FLT_MAX; a bin wholly off the image outputs 0. The
// gradient goes to each bin's argmax cell (none for an empty bin).
//
// How the two references differ, and the option that picks each (maxRule):
// - the boxes, bins and rounding are the same Caffe algorithm in both (tests hold poolkit to both
//   on random boxes, partly off the image);
// - the comparison differs: torchvision takes a cell when it is greater ('>'), ONNX Runtime keeps
//   std::max(cell, max), taking a cell unless it is smaller. maxRule 'torchvision' (default): the
//   first of tied cells is the argmax, NaN never wins, a bin of NaN alone outputs −FLT_MAX
//   (−3.4028235e38) and passes no gradient. maxRule 'onnx': the last of tied cells is the argmax
//   (same value), a NaN takes over and the next number replaces it, and a bin of NaN alone outputs
//   NaN (its gradient goes to its last cell). ONNX has no backward; this one is the argmax's.
// - form: torchvision takes [K, 5] rows (batch index first) or a list per image, ONNX [K, 5] rows;
//   poolkit also takes [K, 4] corners with int32 batchIndices, as its RoIAlign. poolkit refuses
//   what torchvision leaves undefined and ONNX Runtime refuses (an index outside the batch), and a
//   non-integer index or a non-finite coordinate.
// Unlike RoIAlign, RoI pooling quantizes the box: the output is not differentiable in the box, and
// no gradient reaches the boxes (as in torchvision).
//
// Layer: RoIPooling2D (roi-layer.ts), on [features, rois] in a functional model, or on the features alone
// with each image's whole feature map as its one box (Sequential, the seed CNN).
import type { DataFormat } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { fail } from '../../errors.js';
import { roiPoolBackward, roiPoolForward, type RoiPoolGeometry } from '../../kernels/reference/extra/roi-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { indicesLike, runPoolSteps } from '../compute.js';
import { definePoolingKind, type OpCall, type OpOptions } from '../kind.js';
import { roiLayer } from './roi-layer.js';
import { roiPoolOnnx } from './roi-onnx.js';
import { applyRoiKind, exampleBoxes, roiCall, roiOptions, roiOutputShapeAfter } from './roi-boxes.js';

export interface RoiPoolOptions {
  /** Bins per box: one number, or [height, width]. */
  outputSize: number | readonly [number, number];
  /** Multiplies box coordinates (default 1). */
  spatialScale?: number;
  /** Whose comparison to follow where they differ (NaN, ties): 'torchvision' (default) or 'onnx'. */
  maxRule?: 'torchvision' | 'onnx';
  dataFormat?: DataFormat;
}

function maxRuleOf(op: string, options: OpOptions): RoiPoolGeometry['maxRule'] {
  const rule = options.maxRule ?? 'torchvision';
  if (rule !== 'torchvision' && rule !== 'onnx') fail(op, 'maxRule', "must be 'torchvision' or 'onnx'", rule);
  return rule;
}

function computeRoiPool(call: OpCall): Tensor {
  const { op, input, options } = call;
  const maxRule = maxRuleOf(op, options);
  const { geometry: sizes, boxes } = roiCall(call);
  const geometry: RoiPoolGeometry = { ...sizes, maxRule };
  return runPoolSteps(op, [input], geometry.outputShape, {
    saved: input.requiresGrad ? [indicesLike(geometry.outputShape)] : [],
    zeroGradients: true,
    bindsResident: true,
    forward: ({ output, saved: [argmax] }) =>
      kernel('roiPoolForward')(
        input.kernelValues,
        boxes,
        output.kernelValues,
        argmax?.kernelIntValues ?? null,
        geometry,
      ),
    backward: ({ gradOutput, saved: [argmax], gradInputs: [gradInput] }) =>
      kernel('roiPoolBackward')(
        gradOutput.kernelValues,
        argmax!.kernelIntValues,
        boxes.batchIndices,
        gradInput!.kernelValues,
        geometry,
      ),
  }).output;
}

const roiPoolOutputShape = roiOutputShapeAfter(maxRuleOf);

export const roiPoolKind = definePoolingKind({
  names: ['roiPool', 'maxRoiPool'],
  window: 'region',
  ranks: [2],
  op: 'roiPool',
  tensorArguments: ['boxes', 'batchIndices'],
  options: [
    ...roiOptions,
    {
      name: 'maxRule',
      default: 'torchvision',
      doc: "Whose comparison to follow where they differ: 'torchvision' ('>': first of ties, NaN never wins) or 'onnx' (std::max: last of ties, NaN taken until the next number).",
      field: { type: 'select', choices: ['torchvision', 'onnx'], demo: 'torchvision' },
    },
  ],
  docs: {
    label: 'RoI pooling',
    summary: 'Each box rounded to whole pixels and max-pooled to a fixed grid of bins.',
    formula:
      'bin (i, j) of box b: max of x[batch(b)] over rows ⌊i·h/H⌋ … ⌈(i+1)·h/H⌉ − 1 and columns likewise, from the rounded box corner',
    gradient: 'All of it to each bin’s argmax (torchvision: the first of ties, none for an empty or all-NaN bin).',
    source: "Girshick, Fast R-CNN (ICCV 2015); torchvision's roi_pool, ONNX MaxRoiPool",
  },
  kernels: { roiPoolForward, roiPoolBackward },
  outputShape: roiPoolOutputShape,
  compute: computeRoiPool,
  example: exampleBoxes,
  layer: roiLayer('RoIPooling2D', 'roiPooling2d', roiPoolOutputShape),
  onnx: roiPoolOnnx,
});

/**
 * RoI max pooling of [batch, height, width, channels] (or NCHW with channelsFirst) over K boxes:
 * output [K, outHeight, outWidth, channels] (or [K, channels, outHeight, outWidth]). Boxes are
 * [K, 5] rows (batch index, x1, y1, x2, y2), as torchvision and ONNX take them, or [K, 4] corners
 * with int32 batchIndices [K].
 * @example roiPool(features, boxes, { outputSize: 7, spatialScale: 1 / 16 })
 */
export function roiPool(input: Tensor, boxes: Tensor, options: RoiPoolOptions): Tensor;
export function roiPool(input: Tensor, boxes: Tensor, batchIndices: Tensor, options: RoiPoolOptions): Tensor;
export function roiPool(input: Tensor, boxes: Tensor, ...rest: unknown[]): Tensor {
  return applyRoiKind(roiPoolKind, input, boxes, rest);
}
