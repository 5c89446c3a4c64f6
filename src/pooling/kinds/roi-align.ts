// RoIAlign: He, Gkioxari, Dollár & Girshick, "Mask R-CNN", ICCV 2017; exactly torchvision's roi_align
// (0.14) and ONNX's RoiAlign (opset 16) as ONNX Runtime computes it, forward, with torchvision's backward.
//
// Box (x1, y1, x2, y2)·spatialScale, less 0.5 when aligned, is cut into outputSize bins; each bin is
// sampled on a grid of samplingRatio² points (ceil(bin size) per axis when samplingRatio ≤ 0), each
// point bilinearly interpolated from its four neighbours (clamped at the last row and column; a point
// more than one pixel off the image counts as 0). 'average' divides the sum by the grid size; 'max'
// keeps the largest weighted corner term w·x of any sample (ONNX Runtime's rule, not the max of the
// interpolated values). Arithmetic is float32 step by step, as both libraries do it.
//
// How the two references differ, and the option that picks each:
// - aligned (torchvision) is ONNX's coordinate_transformation_mode: aligned: true = 'half_pixel'
//   (ONNX opset 16's default): boxes shifted by −0.5 pixel, malformed boxes kept as they are (an
//   inverted box has no samples and outputs 0); aligned: false = 'output_half_pixel' (torchvision's
//   default, and ONNX opset 10's only behaviour): no shift, boxes widened to at least 1×1. Both
//   libraries compute the same numbers for the same choice; only the defaults differ (poolkit's is
//   torchvision's, false).
// - mode: torchvision averages only; 'max' is ONNX's. Its gradient (no reference has one) is g·w to
//   the winning corner.
// - boxes: torchvision's [K, 5] rows (batch index first) or ONNX's [K, 4] with batchIndices [K]
//   (int32 here, int64 in ONNX); poolkit refuses what both leave undefined (an index outside the
//   batch, a non-integer index, a non-finite coordinate).
// - samplingRatio: ONNX's 0 and torchvision's −1 both mean adaptive.
// Gradients flow to the input only (as torchvision: the boxes get none). NaN and ±Infinity follow
// the arithmetic of both libraries, including their 0·x for samples off the image (so NaN at a
// plane's first cell reaches such bins).
//
// Layer: RoIAlign2D (roi-layer.ts), on [features, rois] in a functional model, or on the features alone
// with each image's whole feature map as its one box (Sequential, the seed CNN).
import { fail } from '../../errors.js';
import type { DataFormat } from '../../geometry/layout.js';
import { kernel } from '../../kernels/backend.js';
import { roiAlignBackward, roiAlignForward, type RoiAlignGeometry } from '../../kernels/reference/extra/roi-align.js';
import type { Tensor } from '../../tensor/tensor.js';
import { runPoolSteps } from '../compute.js';
import { booleanOption, definePoolingKind, type OpCall, type OpOptions } from '../kind.js';
import { roiLayer } from './roi-layer.js';
import { roiAlignOnnx } from './roi-onnx.js';
import { applyRoiKind, exampleBoxes, roiCall, roiOptions, roiOutputShapeAfter } from './roi-boxes.js';

export interface RoiAlignOptions {
  /** Bins per box: one number, or [height, width]. */
  outputSize: number | readonly [number, number];
  /** Multiplies box coordinates (default 1). */
  spatialScale?: number;
  /** Samples per bin and axis; 0 or −1 (default 0): ceil(bin size), adaptive. */
  samplingRatio?: number;
  /** torchvision's aligned = ONNX's half_pixel (default false: output_half_pixel). */
  aligned?: boolean;
  /** 'average' (default; ONNX's 'avg') or 'max' (ONNX's). */
  mode?: 'average' | 'max';
  dataFormat?: DataFormat;
}

function alignSettings(op: string, options: OpOptions): Pick<RoiAlignGeometry, 'samplingRatio' | 'aligned' | 'mode'> {
  const samplingRatio = options.samplingRatio ?? 0;
  if (!Number.isInteger(samplingRatio) || (samplingRatio as number) < -1)
    fail(op, 'samplingRatio', 'must be an integer of at least −1 (0 and −1: adaptive)', samplingRatio);
  const mode = options.mode ?? 'average';
  if (mode !== 'average' && mode !== 'max')
    fail(op, 'mode', "must be 'average' or 'max' (ONNX's 'avg' is 'average')", mode);
  return {
    samplingRatio: samplingRatio as number,
    aligned: booleanOption(op, 'aligned', options.aligned, false),
    mode,
  };
}

function computeRoiAlign(call: OpCall): Tensor {
  const { op, input, options } = call;
  const settings = alignSettings(op, options);
  const { geometry: sizes, boxes } = roiCall(call);
  const geometry: RoiAlignGeometry = { ...sizes, ...settings };
  return runPoolSteps(op, [input], geometry.outputShape, {
    // every backend's kernel writes the gradient whole (the wasm one gathers: no zero-fill first)
    bindsResident: true,
    forward: ({ output }) => kernel('roiAlignForward')(input.kernelValues, boxes, output.kernelValues, geometry),
    backward: ({ gradOutput, gradInputs: [gradInput] }) =>
      kernel('roiAlignBackward')(input.kernelValues, boxes, gradOutput.kernelValues, gradInput!.kernelValues, geometry),
  }).output;
}

const roiAlignOutputShape = roiOutputShapeAfter(alignSettings);

export const roiAlignKind = definePoolingKind({
  names: ['roiAlign'],
  window: 'region',
  ranks: [2],
  op: 'roiAlign',
  tensorArguments: ['boxes', 'batchIndices'],
  options: [
    ...roiOptions,
    {
      name: 'samplingRatio',
      default: 0,
      doc: 'Samples per bin along each axis; 0 (ONNX) or −1 (torchvision): ceil(bin size), adaptive.',
      field: { type: 'number', min: -1, step: 1, demo: 2 },
    },
    {
      name: 'aligned',
      default: false,
      doc: "torchvision's aligned: true shifts boxes by −0.5 pixel (ONNX's 'half_pixel'); false does not and widens boxes to 1×1 (ONNX's 'output_half_pixel').",
      field: { type: 'checkbox', demo: true },
    },
    {
      name: 'mode',
      default: 'average',
      doc: "'average' of the bin's samples, or ONNX's 'max' of their weighted corner terms.",
      field: { type: 'select', choices: ['average', 'max'], demo: 'average' },
    },
  ],
  docs: {
    label: 'RoIAlign',
    summary: 'Each box resampled to a fixed grid of bins, each bin the mean (or ONNX’s max) of bilinear samples.',
    formula:
      'bin (i, j) of box b: (1/n)·Σ over its n sample points p of bilinear(x[batch(b)], p), p on a regular grid inside the bin',
    gradient:
      'Average: g·w/n to the four neighbours of every sample (torchvision’s backward); max: g·w to the winning corner.',
    source: "He et al., Mask R-CNN (ICCV 2017); torchvision's roi_align, ONNX RoiAlign",
  },
  kernels: { roiAlignForward, roiAlignBackward },
  outputShape: roiAlignOutputShape,
  compute: computeRoiAlign,
  example: exampleBoxes,
  layer: roiLayer('RoIAlign2D', 'roiAlign2d', roiAlignOutputShape),
  onnx: roiAlignOnnx,
});

/**
 * RoIAlign of [batch, height, width, channels] (or NCHW with channelsFirst) over K boxes: output
 * [K, outHeight, outWidth, channels] (or [K, channels, outHeight, outWidth]). Boxes are torchvision's
 * [K, 5] rows (batch index, x1, y1, x2, y2), or ONNX's [K, 4] corners with int32 batchIndices [K].
 * @example roiAlign(features, boxes, { outputSize: 7, spatialScale: 1 / 16, samplingRatio: 2, aligned: true })
 * @example roiAlign(x, rois, batchIndices, { outputSize: [7, 7], mode: 'max' }) // ONNX's form
 */
export function roiAlign(input: Tensor, boxes: Tensor, options: RoiAlignOptions): Tensor;
export function roiAlign(input: Tensor, boxes: Tensor, batchIndices: Tensor, options: RoiAlignOptions): Tensor;
export function roiAlign(input: Tensor, boxes: Tensor, ...rest: unknown[]): Tensor {
  return applyRoiKind(roiAlignKind, input, boxes, rest);
}
