// What spectral pooling and DiffStride share: output sizes per axis and the geometry the spectral
// kernels (src/kernels/reference/extra/spectral-pool.ts) read, and DiffStride's mask on the bins.
import { fail } from '../../errors.js';
import { adaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import { checkDataFormat, checkInputRank, spatialSizes, type SpatialDims } from '../../geometry/layout.js';
import { keptBin, type SpectralGeometry } from '../../kernels/reference/extra/spectral-pool.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { applyAxisMatrices, type AxisMatrix } from '../../formats/onnx/axis-matrices.js';
import { scalar, spatialSizesOf } from '../../formats/onnx/pool-nodes.js';
import type { Shape } from '../../tensor/tensor.js';

/** The input's spatial sizes, after checking the data format and the input's rank. */
export function spectralInput(op: string, shape: Shape, rank: SpatialDims, dataFormat: unknown) {
  const format = checkDataFormat(op, dataFormat);
  checkInputRank(op, shape, rank, format);
  return { format, inSizes: spatialSizes(shape, rank, format) };
}

/** One positive number per axis from a number or a list (real strides), each at least `minimum`. */
export function realPerAxis(op: string, name: string, value: unknown, rank: number, minimum: number): number[] {
  const rule = `must be a finite number of at least ${minimum}, or ${rank} such numbers`;
  const values = typeof value === 'number' ? Array<number>(rank).fill(value) : value;
  if (!Array.isArray(values) || values.length !== rank) fail(op, name, rule, value);
  for (const item of values as unknown[])
    if (typeof item !== 'number' || !Number.isFinite(item) || item < minimum) fail(op, name, rule, value);
  return values as number[];
}

/** An explicit output size per axis: integers from 1 to the input's size. */
export function checkOutputSize(op: string, value: unknown, inSizes: readonly number[]): number[] {
  const rule = `must be an integer from 1 to the input's size on every axis ([${inSizes.join(', ')}])`;
  const sizes = typeof value === 'number' ? inSizes.map(() => value) : value;
  if (!Array.isArray(sizes) || sizes.length !== inSizes.length) fail(op, 'outputSize', rule, value);
  (sizes as unknown[]).forEach((size, axis) => {
    if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > inSizes[axis]!)
      fail(op, 'outputSize', rule, value);
  });
  return sizes as number[];
}

/** The kernels' geometry: sizes, and per axis the bin weights (null: all 1) padded to three axes. */
export function spectralGeometry(
  op: string,
  shape: Shape,
  rank: SpatialDims,
  outSizes: readonly number[],
  masks: readonly (Float64Array | null)[],
  format: 'channelsLast' | 'channelsFirst',
): SpectralGeometry {
  const [depth, height, width] = [...Array<null>(3 - rank).fill(null), ...masks];
  return Object.freeze({
    ...adaptiveGeometry(op, shape, rank, outSizes, format),
    masks: [depth ?? null, height ?? null, width ?? null] as const,
  });
}

/** The signed frequency of DFT bin `bin` of an axis of `size` cells: 0, 1, …, ⌈N/2⌉ − 1, −⌊N/2⌋, …, −1. */
export function frequencyOf(bin: number, size: number): number {
  return bin < Math.ceil(size / 2) ? bin : bin - size;
}

/** DiffStride's mask on one axis and its slope ∂m/∂S per bin. */
export interface StrideMask {
  readonly mask: Float64Array;
  readonly slope: Float64Array;
  /** Bins with m > 0: the output size when the crop follows the mask. */
  readonly support: number;
}

/**
 * m(k) = min(max((R + T − |k|)/R, 0), 1) with T = max(N/(2S), 1) (the paper's cut-off N/(2S), kept
 * at least 1 as the code keeps N/S ≥ 2); ∂m/∂S = −N/(2S²R) where 0 ≤ (R + T − |k|)/R ≤ 1 and N/(2S) > 1,
 * else 0 (torch.clamp's rule at the ends).
 */
export function strideMask(size: number, stride: number, smoothness: number): StrideMask {
  const cutoff = size / (2 * stride);
  const threshold = Math.max(cutoff, 1);
  const slopeOfThreshold = cutoff > 1 ? -size / (2 * stride * stride) : 0;
  const mask = new Float64Array(size);
  const slope = new Float64Array(size);
  let support = 0;
  for (let bin = 0; bin < size; bin++) {
    const raw = (smoothness + threshold - Math.abs(frequencyOf(bin, size))) / smoothness;
    mask[bin] = Math.min(Math.max(raw, 0), 1);
    slope[bin] = raw >= 0 && raw <= 1 ? slopeOfThreshold / smoothness : 0;
    if (mask[bin]! > 0) support++;
  }
  return { mask, slope, support };
}

/**
 * One axis of y = Re(IDFT_out(crop(mask·DFT_in(x))))/N_in as a matrix: M[o][i] = (1/N) Σ_j w_j ·
 * e^{2πi(j·o/out − b_j·i/N)} over the output bins j, b_j the input bin j keeps (keptBin), w_j its mask weight.
 */
function spectralAxisMatrix(inSize: number, outSize: number, mask: Float64Array | null): AxisMatrix {
  const real = new Float64Array(outSize * inSize);
  const imaginary = new Float64Array(outSize * inSize);
  for (let bin = 0; bin < outSize; bin++) {
    const inBin = keptBin(inSize, outSize, bin);
    const weight = (mask === null ? 1 : mask[inBin]!) / inSize;
    if (weight === 0) continue;
    for (let out = 0; out < outSize; out++) {
      for (let cell = 0; cell < inSize; cell++) {
        const turns = ((bin * out) % outSize) / outSize - ((inBin * cell) % inSize) / inSize;
        real[out * inSize + cell]! += weight * Math.cos(2 * Math.PI * turns);
        imaginary[out * inSize + cell]! += weight * Math.sin(2 * Math.PI * turns);
      }
    }
  }
  const isReal = imaginary.every((value) => Math.abs(value) < 1e-12);
  return { inSize, outSize, real, imaginary: isReal ? null : imaginary };
}

/** Spectral pooling (masked, for DiffStride) in ONNX: the map along each axis as a constant matrix (MatMul). */
export function exportSpectral(call: OnnxExportCall, geometry: SpectralGeometry): string {
  const { inSizes, outSizes } = spatialSizesOf(geometry, call.rank);
  const masks = geometry.masks.slice(3 - call.rank);
  const matrices = inSizes.map((size, axis) => spectralAxisMatrix(size, outSizes[axis]!, masks[axis] ?? null));
  // x·0 is NaN for NaN and ±Infinity: their sum over a plane makes every output of the plane NaN, as
  // every bin mixes every cell in the kernel (a product with the matrices would leave some ±Infinity).
  const spatialAxes = call.graph.int64s(
    `${call.owner}/spatial_axes`,
    inSizes.map((_, axis) => axis + 2),
  );
  const zeros = call.graph.apply('Mul', [call.input, scalar(call, 'zero', 0)], {}, call.owner);
  const poison = call.graph.apply('ReduceSum', [zeros, spatialAxes], { keepdims: 1 }, call.owner);
  return call.graph.apply('Add', [applyAxisMatrices(call, call.input, matrices), poison], {}, call.owner);
}
