// Direct convolution drivers (assembly/train/direct.ts) for shallow filters whose windows all lie
// inside the input, as the seed CNN's first layer (3x3x1, k = 9): a product 9 deep gains nothing
// from packing, so the kernels read the input through a table of tap offsets instead.
import type { ConvGeometry } from '../types.js';
import { addressOf } from './pool-arguments.js';
import { balancedUnitCount, getThreadCount, parallelFor } from './threads.js';
import {
  AKind,
  Init,
  ROW_BLOCK,
  Word,
  placeScratch,
  roundUp,
  writeConvGeometry,
  writeProduct,
} from './train-arguments.js';
import type { KernelModule } from './loader.js';

/** Must equal GRAD_BIAS, RELU, RELU_OUTPUT, POOL_* and TAP_TABLE_BYTES in assembly/train/arguments.ts. */
const GRAD_BIAS_WORD = 46;
const RELU_WORD = 47;
const RELU_OUTPUT_WORD = 48;
export const POOL_OUTPUT_WORD = 49;
export const POOL_ARGMAX_WORD = 50;
export const POOL_HEIGHT_WORD = 51;
export const POOL_WIDTH_WORD = 52;
const TAP_TABLE_WORD = 1024 / 4;
/** The deepest filter (kh·kw·c) that takes the direct path: deeper ones amortise packing well. */
const MAX_DIRECT_DEPTH = 64;

/** The convolution as a product's sizes: im2col rows (output pixels) and the filter's depth (kh·kw·c). */
export const filterDepth = (geometry: ConvGeometry): number =>
  geometry.kernelHeight * geometry.kernelWidth * geometry.channels;
export const outputPixels = (geometry: ConvGeometry): number => geometry.batch * geometry.outHeight * geometry.outWidth;

/** Whether the direct kernels apply: a shallow filter, whole 8-column tiles, and no window reaching into padding. */
export function directConvApplies(geometry: ConvGeometry): boolean {
  const lastRow =
    (geometry.outHeight - 1) * geometry.strideHeight + (geometry.kernelHeight - 1) * geometry.dilationHeight;
  const lastColumn =
    (geometry.outWidth - 1) * geometry.strideWidth + (geometry.kernelWidth - 1) * geometry.dilationWidth;
  return (
    geometry.channelsLast &&
    geometry.spatialDims === 2 &&
    filterDepth(geometry) <= MAX_DIRECT_DEPTH &&
    geometry.outChannels % 8 === 0 &&
    geometry.padTop === 0 &&
    geometry.padLeft === 0 &&
    lastRow - geometry.padTop < geometry.inHeight &&
    lastColumn - geometry.padLeft < geometry.inWidth
  );
}

/** The byte offset from a window's origin cell to each (tap, channel) of the filter, in HWIO order. */
function writeTapTable(words: Int32Array, geometry: ConvGeometry): void {
  const { channels, kernelWidth, inWidth } = geometry;
  for (let index = 0; index < filterDepth(geometry); index++) {
    const tap = Math.floor(index / channels);
    const row = Math.floor(tap / kernelWidth) * geometry.dilationHeight;
    const column = (tap % kernelWidth) * geometry.dilationWidth;
    words[TAP_TABLE_WORD + index] = 4 * ((row * inWidth + column) * channels + (index % channels));
  }
}

/** Output pixels per chunk of the filter gradient: must follow CHUNK_PIXELS in assembly/train/direct.ts. */
const chunkFloats = (geometry: ConvGeometry): number =>
  Math.max(1, Math.floor(128 / geometry.outWidth)) * geometry.outWidth * geometry.outChannels;

/** Writes a direct forward's words (output may be null: the fused max pool writes its own); returns them. */
export function writeDirectConvolution(
  train: KernelModule,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array | null,
  geometry: ConvGeometry,
  relu: boolean,
): Int32Array {
  const addresses = { a: addressOf(input), b: addressOf(filter), c: addressOf(output), bias: addressOf(bias) };
  placeScratch(train, { packedBBytes: 0, partialBytes: 0, slotBytes: 0, slots: getThreadCount() });
  const words = writeProduct(train, {
    aKind: AKind.Im2col,
    bTransposed: false,
    m: outputPixels(geometry),
    k: filterDepth(geometry),
    n: geometry.outChannels,
    ...addresses,
    init: Init.Bias,
  });
  writeConvGeometry(words, geometry);
  writeTapTable(words, geometry);
  words[RELU_WORD] = relu ? 1 : 0;
  return words;
}

/**
 * Runs the direct forward whose words writeDirectConvolution wrote: output = im2col(input)·filter
 * (+ bias), then relu when asked; units of ROW_BLOCK output pixels.
 */
export function runDirectForward(train: KernelModule, geometry: ConvGeometry): void {
  const [m, k, n] = [outputPixels(geometry), filterDepth(geometry), geometry.outChannels];
  parallelFor(train, 'convForwardDirect', Math.ceil(m / ROW_BLOCK), 4 * (m * k + m * n) + m * n * k);
}

/** A 2x2 stride-2 max pool's argmax and pooled size: the filter gradient then reads a pooled gradOutput through it. */
export interface PooledGradient {
  readonly argmax: Int32Array;
  readonly outHeight: number;
  readonly outWidth: number;
}

/** The direct filter gradient's tensors, by name: three of them may be absent (null). */
export interface FilterGradient {
  readonly input: Float32Array;
  readonly gradOutput: Float32Array;
  readonly gradFilter: Float32Array;
  readonly gradBias: Float32Array | null;
  readonly reluOutput: Float32Array | null;
  readonly pooled?: PooledGradient | null;
}

/**
 * gradFilter = im2col(input)ᵀ·dY and gradBias = Σ dY (when given): a partial sum per unit of output rows. dY is
 * gradOutput, or gradOutput masked by relu's output (> 0) when reluOutput is given, or, with `pooled`,
 * the gradient a 2x2 stride-2 max pool routes from gradOutput (pooled) through its argmax; chunk by chunk.
 */
export function conv2dBackwardFilterDirect(train: KernelModule, geometry: ConvGeometry, tensors: FilterGradient): void {
  const { input, gradOutput, gradFilter, gradBias, reluOutput, pooled = null } = tensors;
  const addresses = { a: addressOf(input), b: addressOf(gradOutput), c: addressOf(gradFilter), bias: 0 };
  const argmaxAddress = addressOf(pooled?.argmax);
  const gradBiasAddress = addressOf(gradBias);
  const reluOutputAddress = addressOf(reluOutput);
  const m = filterDepth(geometry);
  const k = outputPixels(geometry);
  const n = geometry.outChannels;
  const units = balancedUnitCount();
  const partialBytes = 4 * units * (roundUp(m, 4) + 1) * n;
  const slotBytes = reluOutput === null && pooled === null ? 0 : 4 * chunkFloats(geometry);
  placeScratch(train, { packedBBytes: 0, partialBytes, slotBytes, slots: getThreadCount() });
  const product = { aKind: AKind.Im2colTransposed, bTransposed: false, m, k, n, ...addresses, init: Init.Zero };
  const words = writeProduct(train, product);
  writeConvGeometry(words, geometry);
  writeTapTable(words, geometry);
  words[Word.PartialCount] = units;
  words[GRAD_BIAS_WORD] = gradBiasAddress;
  words[RELU_OUTPUT_WORD] = reluOutputAddress;
  words[POOL_ARGMAX_WORD] = argmaxAddress;
  words[POOL_HEIGHT_WORD] = pooled?.outHeight ?? 0;
  words[POOL_WIDTH_WORD] = pooled?.outWidth ?? 0;
  parallelFor(train, 'convFilterDirect', units, 4 * (m * k + k * n) + m * n * k);
  parallelFor(train, 'sumDirectPartials', gradBias === null ? m : m + 1, partialBytes);
}
