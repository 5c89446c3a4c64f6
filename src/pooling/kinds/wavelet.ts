// Wavelet pooling (Williams & Li, "Wavelet Pooling for Convolutional Neural Networks", ICLR 2018):
// a second-order Haar decomposition of each plane, the first-order sub-bands discarded, and the
// features rebuilt from the second-order sub-bands by one level of inverse transform — half size.
//
// Per axis, orthonormal Haar: low = (a + b)/√2, high = (a − b)/√2 over cells 2i, 2i + 1. Level 1 keeps
// only its approximation LL₁ (the detail sub-bands LH₁, HL₁, HH₁ are the discarded first-order ones);
// level 2 splits LL₁ into its 2^rank sub-bands, all kept, and the inverse transform rebuilds from them.
// Odd sizes: the paper does not say; here (MATLAB's default 'sym' extension, the toolbox the paper
// used) an odd axis repeats its last cell, so it has ⌈n/2⌉ cells after a level, and a rebuilt axis is
// cut back to its length (as waverec2 does). Output: ⌈n/2⌉ cells per axis.
// Because Haar is orthogonal, rebuilding from every level-2 sub-band returns LL₁ exactly: the output
// equals 2^(−rank/2)·(sum of each 2×…×2 block), an odd axis's last block counting its cell twice — a
// scaled average pooling. The kernels still follow the paper's steps; tests check both. The backward
// is the transpose of each step (the paper's backward — decompose the gradient, rebuild — equals it).
// NaN and ±Infinity spread to every output cell whose blocks read them (and ∞ − ∞ = NaN in the detail
// bands reaches the rebuilt block too).
import type { SpatialDims } from '../../geometry/layout.js';
import { adaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import { checkDataFormat, checkInputRank, spatialSizes } from '../../geometry/layout.js';
import { waveletPoolBackward, waveletPoolForward } from '../../kernels/reference/extra/wavelet-pool.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import type { DataFormat } from '../../geometry/layout.js';
import { dataFormatOption } from '../common-options.js';
import { rankedOps, type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { outputShapeOf, runLinearOp } from '../kernel-steps.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial, spatialSizesOf } from '../../formats/onnx/pool-nodes.js';
import { windowWeightedSum } from '../../formats/onnx/pool-window.js';

export interface WaveletPoolOptions {
  dataFormat?: DataFormat;
}

function waveletGeometry(op: string, shape: Shape, options: OpOptions, rank: SpatialDims) {
  const format = checkDataFormat(op, options.dataFormat);
  checkInputRank(op, shape, rank, format);
  const outSizes = spatialSizes(shape, rank, format).map((size) => Math.ceil(size / 2));
  return adaptiveGeometry(op, shape, rank, outSizes, format);
}

function computeWaveletPool(call: OpCall): Tensor {
  return runLinearOp(call, waveletGeometry, 'waveletPoolForward', 'waveletPoolBackward');
}

/**
 * The closed form the kind's comment derives: 2^(−rank/2)·(sum of each 2×…×2 block), an odd axis's
 * last cell repeated (Pad 'edge' of one cell at its end), as a depthwise Conv of stride 2.
 */
function exportWaveletPool(call: OnnxExportCall) {
  const geometry = waveletGeometry(call.owner, call.inputShape, call.options, call.rank);
  const { inSizes, outSizes } = spatialSizesOf(geometry, call.rank);
  const extra = inSizes.map((size) => size % 2);
  const pads = call.graph.int64s(`${call.owner}/pads`, [0, 0, ...extra.map(() => 0), 0, 0, ...extra]);
  const padded = extra.some((pad) => pad > 0)
    ? call.graph.apply('Pad', [call.input, pads], { mode: 'edge' }, call.owner)
    : call.input;
  const twos = inSizes.map(() => 2);
  const none = inSizes.map(() => 0);
  const axes = {
    inSize: inSizes.map((size, axis) => size + extra[axis]!),
    outSize: outSizes,
    kernel: twos,
    stride: twos,
    dilation: inSizes.map(() => 1),
    padBegin: none,
    padEnd: none,
  };
  const scale = new Float32Array(2 ** call.rank).fill(2 ** (-call.rank / 2));
  return spatial(windowWeightedSum(call, padded, axes, geometry.channels, scale));
}

export const waveletKind = standardKind({
  names: ['wavelet', 'haar'],
  window: 'filter',
  op: 'waveletPool{rank}d',
  options: [dataFormatOption],
  docs: {
    label: 'Wavelet pooling',
    summary: 'Two-level Haar wavelet transform; the features rebuilt from the second-level sub-bands at half size.',
    formula: 'y = IDWT(LL₂, LH₂, HL₂, HH₂) with (LL₂, …) = DWT(LL₁), LL₁ = Haar approximation of x (= LL₁ exactly)',
    gradient:
      'Each step transposed: 2^(−rank/2)·gradOutput to every cell of the block (twice for a repeated odd edge).',
    source: 'Williams & Li, "Wavelet Pooling for Convolutional Neural Networks", ICLR 2018',
  },
  kernels: { waveletPoolForward, waveletPoolBackward },
  outputShape: outputShapeOf(waveletGeometry),
  compute: computeWaveletPool,
  onnx: { export: exportWaveletPool },
});

/**
 * Wavelet pooling over [batch, ...spatial, channels] (or channelsFirst): ⌈n/2⌉ cells per axis.
 * @example waveletPool2d(x) // [2, 26, 26, 32] → [2, 13, 13, 32]
 */
export type WaveletPoolOp = (input: Tensor, options?: WaveletPoolOptions) => Tensor;

export const [waveletPool1d, waveletPool2d, waveletPool3d] = rankedOps(waveletKind).as<WaveletPoolOp>();
