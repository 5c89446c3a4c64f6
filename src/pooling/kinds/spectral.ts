// Spectral pooling (Rippel, Snoek & Adams, "Spectral Representations for Convolutional Neural
// Networks", NeurIPS 2015): each plane's DFT is cropped to its lowest frequencies and transformed back.
//
// y = Re(IDFT_out(crop(DFT_in(x)))) / N_in, every spatial axis at once, where N_in is the input's cell
// count (the DFT divided by it, the inverse not, so a constant plane stays the same constant: y is the
// band-limited trigonometric interpolant of x sampled on the coarser grid). An axis of out cells keeps
// frequencies −⌊out/2⌋ … ⌈out/2⌉ − 1. out = outputSize, or ⌈N/stride⌉ for a real stride ≥ 1 (default 2).
// The real part is the paper's TreatCornerCases: for an even out the kept −out/2 bin has no conjugate
// partner; taking the real part symmetrises it (the ±out/2 bins of the input averaged), so y is real.
// Backward (the paper's Algorithm 2, the forward transposed): Re(IDFT_in(pad(DFT_out(∂L/∂y))))/N_in.
// The DFT is src/kernels/reference/fft.ts (any length: mixed radix, or Bluestein for large primes).
// NaN or ±Infinity anywhere in a plane makes every output of that plane NaN (every bin mixes every cell).
import { fail } from '../../errors.js';
import type { DataFormat, SpatialDims } from '../../geometry/layout.js';
import { spectralPoolBackward, spectralPoolForward } from '../../kernels/reference/extra/spectral-pool.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { dataFormatOption } from '../common-options.js';
import { rankedOps, type OpCall, type OpOptions } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { outputShapeOf, runLinearOp } from '../kernel-steps.js';
import { checkOutputSize, exportSpectral, realPerAxis, spectralGeometry, spectralInput } from './spectral-geometry.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';

export interface SpectralPoolOptions {
  /** The output's spatial size: one number, or one per axis (at most the input's). */
  outputSize?: number | readonly number[];
  /** Or a real downsampling factor ≥ 1 per axis: ⌈N/stride⌉ cells (default 2). */
  stride?: number | readonly number[];
  dataFormat?: DataFormat;
}

function spectralPoolGeometry(op: string, shape: Shape, options: OpOptions, rank: SpatialDims) {
  const { format, inSizes } = spectralInput(op, shape, rank, options.dataFormat);
  if (options.outputSize !== undefined && options.stride !== undefined)
    fail(op, 'stride', 'cannot be given with outputSize (give one of them)', options.stride);
  const outSizes =
    options.outputSize !== undefined
      ? checkOutputSize(op, options.outputSize, inSizes)
      : realPerAxis(op, 'stride', options.stride ?? 2, rank, 1).map((stride, axis) =>
          Math.ceil(inSizes[axis]! / stride),
        );
  return spectralGeometry(op, shape, rank, outSizes, [], format);
}

function computeSpectralPool(call: OpCall): Tensor {
  return runLinearOp(call, spectralPoolGeometry, 'spectralPoolForward', 'spectralPoolBackward');
}

function exportSpectralPool(call: OnnxExportCall) {
  return spatial(exportSpectral(call, spectralPoolGeometry(call.owner, call.inputShape, call.options, call.rank)));
}

export const spectralKind = standardKind({
  names: ['spectral', 'fourier'],
  layoutFree: true,
  window: 'filter',
  op: 'spectralPool{rank}d',
  // The wasm kernels apply the crop as per-axis complex matrices in f64 instead of FFTs: sums in
  // another order, ~1e-15 relative, so the f32 results differ by a rounding flip (2^-23) at most,
  // plus f64 noise under 1e-9 absolute where a bin's terms cancel (outputs that are 0 by symmetry).
  tolerance: { relative: 1e-6, absolute: 1e-9 },
  options: [
    {
      name: 'outputSize',
      doc: 'Output spatial size: one number, or one per axis, at most the input’s (else ⌈N/stride⌉).',
      field: { type: 'pair', min: 1, demo: [4, 4] },
    },
    {
      name: 'stride',
      configName: 'strides',
      doc: 'A real downsampling factor ≥ 1 per axis when outputSize is not given: ⌈N/stride⌉ cells (default 2).',
      // No form field: the explorer's form sets outputSize, and the op takes one of the two.
    },
    dataFormatOption,
  ],
  docs: {
    label: 'Spectral pooling',
    summary: 'Keeps the lowest frequencies of each plane’s DFT: the band-limited image on a coarser grid.',
    formula: 'y = Re(IDFT_out(crop(DFT_in(x)))) / N_in, frequencies −⌊out/2⌋ … ⌈out/2⌉ − 1 kept per axis',
    gradient: 'The transpose: Re(IDFT_in(zero-pad(DFT_out(gradOutput)))) / N_in.',
    source: 'Rippel, Snoek & Adams, NeurIPS 2015',
  },
  kernels: { spectralPoolForward, spectralPoolBackward },
  outputShape: outputShapeOf(spectralPoolGeometry),
  compute: computeSpectralPool,
  layer: { seedConfig: { strides: 2 } },
  onnx: { export: exportSpectralPool },
});

/**
 * Spectral pooling over [batch, ...spatial, channels] (or channelsFirst).
 * @example spectralPool2d(x, { outputSize: 13 }) // [2, 26, 26, 32] → [2, 13, 13, 32]
 * @example spectralPool2d(x, { stride: 1.5 })   // ⌈26/1.5⌉ = 18
 */
export type SpectralPoolOp = (input: Tensor, options?: SpectralPoolOptions) => Tensor;

export const [spectralPool1d, spectralPool2d, spectralPool3d] = rankedOps(spectralKind).as<SpectralPoolOp>();
