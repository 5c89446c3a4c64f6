// BlurPool: anti-aliased downsampling (Zhang, "Making Convolutional Networks Shift-Invariant Again",
// ICML 2019): each plane is low-pass filtered by a normalised binomial filter, then subsampled.
//
// y[o] = Σ_t b[t]·x[o·s + t − p], b the outer product over the axes of row f−1 of Pascal's triangle
// divided by its sum (f = filterSize, 1 to 7: [1], [1,1]/2, [1,2,1]/4, [1,3,3,1]/8, …), s the stride.
// Padding, as the paper's code (antialiased-cnns BlurPool): p = ⌊(f−1)/2⌋ cells before and ⌈(f−1)/2⌉
// after, read by reflection without repeating the edge (x[−1] = x[1], x[N] = x[N−2]; PyTorch's
// ReflectionPad), or padMode 'replicate' (the edge cell) or 'zero'. Output ⌈N/s⌉ cells per axis.
// Reflect padding needs N > ⌈(f−1)/2⌉ along every axis (as ReflectionPad), else an error names the input.
// Linear: ∂y/∂x sends b[t]·gradOutput to the cell tap t read, so a mirrored cell gets the shares of
// every tap that read it; each input cell's shares are summed in f64 in (output cell, tap) order and
// rounded to f32 once, as each output's sum is. NaN and ±Infinity propagate through the weighted sum.
import { blurPoolBackward, blurPoolForward } from '../../kernels/reference/extra/blur-pool.js';
import type { SpatialDims } from '../../geometry/layout.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { rankedOps, type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { outputShapeOf, runLinearOp } from '../kernel-steps.js';
import { blurGeometry, blurOptions, exportBlur, type BlurOptions } from './blur-geometry.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';

export type { BlurOptions, BlurPadMode } from './blur-geometry.js';

/** The blur's geometry in the argument order of a kind's outputShape. */
const blurGeometryOf = (op: string, shape: Shape, options: OpOptions, rank: SpatialDims) =>
  blurGeometry(op, shape, rank, options);

function computeBlurPool(call: OpCall): Tensor {
  return runLinearOp(call, blurGeometryOf, 'blurPoolForward', 'blurPoolBackward');
}

function exportBlurPool(call: OnnxExportCall) {
  return spatial(exportBlur(call, call.input, call.inputShape));
}

export const blurKind = standardKind({
  names: ['blur', 'blurPool', 'antiAliased'],
  layoutFree: true,
  window: 'filter',
  op: 'blurPool{rank}d',
  options: blurOptions,
  docs: {
    label: 'BlurPool',
    summary: 'An anti-aliased strided downsampling: a binomial low-pass filter, then every s-th cell.',
    formula: 'y[o] = Σ_t b[t]·x[o·s + t − ⌊(f−1)/2⌋], b = binomial row f−1 / 2^(f−1) per axis, reflect padding',
    gradient: 'b[t]·gradOutput to the cell each tap read; mirrored cells add the shares of every tap reading them.',
    source: 'Zhang, "Making Convolutional Networks Shift-Invariant Again", ICML 2019 (antialiased-cnns BlurPool)',
  },
  kernels: { blurPoolForward, blurPoolBackward },
  outputShape: outputShapeOf(blurGeometryOf),
  compute: computeBlurPool,
  layer: { seedConfig: { filterSize: 4, strides: 2 } },
  onnx: { export: exportBlurPool },
});

/**
 * BlurPool over [batch, ...spatial, channels] (or channelsFirst): binomial blur, then stride.
 * @example blurPool2d(x, { filterSize: 3 }) // [1, 2, 1]⊗[1, 2, 1] / 16, stride 2, reflect padding
 */
export type BlurPoolOp = (input: Tensor, options?: BlurOptions) => Tensor;

export const [blurPool1d, blurPool2d, blurPool3d] = rankedOps(blurKind).as<BlurPoolOp>();
