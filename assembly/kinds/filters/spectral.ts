// Spectral pooling's crop (and DiffStride's masked crop) as per-axis complex matrix products, forward
// and backward alike (reference: src/kernels/reference/extra/spectral-pool.ts, through FFTs): along
// each axis, M[j][k] = Σ_b e^{+2πi·b·j/out}·w_b·e^{−2πi·bin(b)·k/in} (the DFT, the kept bins with
// their mask weights, the inverse DFT; the TypeScript side tabulates it, or its transpose's form
// for the backward), applied width, height, depth in f64, then the real part divided by the input's
// cell count. Vectorized over the cells after the axis and the channels (f64x2; channels padded to
// an even count). Sums run in another order than the FFT's (the kinds' tolerance). A sample holding
// a non-finite value raises its flag: the FFT's exact zero twiddles decide its NaNs, so the
// TypeScript side runs the reference kernel on it.
import { currentThreadSlot } from '../../shared/thread-slot';
import { applyAxisFolded } from './spectral-real';
import { multiplyAdd } from './multiply-add';
import { loadSample, sizeOf, storeSample } from './spectral-samples';
import { CHANNELS, FILTERS_BYTES, IN_SIZE, OUT_SIZE, SAMPLES, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TABLES, TARGET, pointer, word } from './arguments';

/** Spatial axes the rank has (the last `RANK` of depth, height, width). */
const RANK = 8;
/** One i32 flag per sample. */
export const FLAGS = 9;
/** Non-zero: every axis's matrix is real (the TypeScript side checked), given folded (applyAxisFolded's tables, in its place). */
const REAL_MATRICES = 16;
/** The real path's correction where both axes' imaginary parts are outer products: address of u_w, v_w, u_h, v_h, or 0. */
const CORRECTION = 17;

/** applyAxis's sums for two adjacent lane pairs at once (each matrix entry loaded once for both), the same order per lane. */
@inline
function twoLanes(row: usize, imaginaryRow: usize, count: i32, lineBytes: usize, sourceReal: usize, sourceImaginary: usize, targetReal: usize, targetImaginary: usize): void {
  let real0 = f64x2.splat(0);
  let real1 = f64x2.splat(0);
  let imaginary0 = f64x2.splat(0);
  let imaginary1 = f64x2.splat(0);
  let at: usize = 0;
  for (let k = 0; k < count; k++, at += lineBytes) {
    const matrixReal = f64x2.splat(load<f64>(row + (<usize>k << 3)));
    const matrixImaginary = f64x2.splat(load<f64>(imaginaryRow + (<usize>k << 3)));
    const value0 = v128.load(sourceReal + at);
    const value1 = v128.load(sourceReal + at, 16);
    real0 = f64x2.add(real0, f64x2.mul(matrixReal, value0));
    real1 = f64x2.add(real1, f64x2.mul(matrixReal, value1));
    if (targetImaginary) {
      imaginary0 = f64x2.add(imaginary0, f64x2.mul(matrixImaginary, value0));
      imaginary1 = f64x2.add(imaginary1, f64x2.mul(matrixImaginary, value1));
    }
    if (sourceImaginary) {
      const other0 = v128.load(sourceImaginary + at);
      const other1 = v128.load(sourceImaginary + at, 16);
      real0 = f64x2.sub(real0, f64x2.mul(matrixImaginary, other0));
      real1 = f64x2.sub(real1, f64x2.mul(matrixImaginary, other1));
      if (targetImaginary) {
        imaginary0 = f64x2.add(imaginary0, f64x2.mul(matrixReal, other0));
        imaginary1 = f64x2.add(imaginary1, f64x2.mul(matrixReal, other1));
      }
    }
  }
  v128.store(targetReal, real0);
  v128.store(targetReal, real1, 16);
  if (!targetImaginary) return;
  v128.store(targetImaginary, imaginary0);
  v128.store(targetImaginary, imaginary1, 16);
}

/**
 * Along `axis` of a [sizes] buffer of `padded` lanes per cell: target[.., j, ..] = Σ_k M[j][k]·source[.., k, ..],
 * complex (sourceImaginary 0: a real source; targetImaginary 0: only the real part wanted), M being `length`×sizes[axis] (real parts, then imaginary).
 */
function applyAxis(
  matrix: usize, length: i32, count: i32, outer: i32, inner: i32,
  sourceReal: usize, sourceImaginary: usize, targetReal: usize, targetImaginary: usize,
): void {
  const imaginaryPart = matrix + ((<usize>length * <usize>count) << 3);
  const lineBytes = <usize>inner << 3;
  for (let line = 0; line < outer; line++) {
    const sourceLine = <usize>line * <usize>count * lineBytes;
    const targetLine = <usize>line * <usize>length * lineBytes;
    for (let j = 0; j < length; j++) {
      const row = matrix + ((<usize>j * <usize>count) << 3);
      const imaginaryRow = imaginaryPart + ((<usize>j * <usize>count) << 3);
      let lane: usize = 0;
      const targetAt = targetLine + <usize>j * lineBytes;
      for (; lane + 32 <= lineBytes; lane += 32) {
        twoLanes(row, imaginaryRow, count, lineBytes, sourceReal + sourceLine + lane, sourceImaginary ? sourceImaginary + sourceLine + lane : 0, targetReal + targetAt + lane, targetImaginary ? targetImaginary + targetAt + lane : 0);
      }
      for (; lane < lineBytes; lane += 16) {
        let real = f64x2.splat(0);
        let imaginary = f64x2.splat(0);
        let at = sourceLine + lane;
        if (!targetImaginary) {
          // Only the real part is wanted (the last axis): half the products.
          for (let k = 0; k < count; k++, at += lineBytes) {
            real = f64x2.add(real, f64x2.mul(f64x2.splat(load<f64>(row + (<usize>k << 3))), v128.load(sourceReal + at)));
            if (sourceImaginary) {
              const matrixImaginary = f64x2.splat(load<f64>(imaginaryRow + (<usize>k << 3)));
              real = f64x2.sub(real, f64x2.mul(matrixImaginary, v128.load(sourceImaginary + at)));
            }
          }
          v128.store(targetReal + targetLine + (<usize>j * lineBytes) + lane, real);
          continue;
        }
        for (let k = 0; k < count; k++, at += lineBytes) {
          const matrixReal = f64x2.splat(load<f64>(row + (<usize>k << 3)));
          const matrixImaginary = f64x2.splat(load<f64>(imaginaryRow + (<usize>k << 3)));
          const valueReal = v128.load(sourceReal + at);
          real = f64x2.add(real, f64x2.mul(matrixReal, valueReal));
          imaginary = f64x2.add(imaginary, f64x2.mul(matrixImaginary, valueReal));
          if (sourceImaginary) {
            const valueImaginary = v128.load(sourceImaginary + at);
            real = f64x2.sub(real, f64x2.mul(matrixImaginary, valueImaginary));
            imaginary = f64x2.add(imaginary, f64x2.mul(matrixReal, valueImaginary));
          }
        }
        v128.store(targetReal + targetLine + (<usize>j * lineBytes) + lane, real);
        v128.store(targetImaginary + targetLine + (<usize>j * lineBytes) + lane, imaginary);
      }
    }
  }
}

/** Where the last transform left its result, and the sizes it has (per instance, so per thread). */
let resultReal: usize = 0;
let resultImaginary: usize = 0;
let depth: i32 = 0;
let height: i32 = 0;
let width: i32 = 0;

/**
 * The axes' matrices from `matrix` on (width, height, depth: each OUT_SIZE×current, real parts then
 * imaginary) applied to the real buffer `real` of the sizes at `sizeField`, ping-ponging with the other three
 * buffers; the complex result's buffers go to resultReal and resultImaginary. Returns past the matrices.
 */
function transform(block: usize, matrix: usize, padded: i32, sizeField: i32, real: usize, imaginary: usize, otherReal: usize, otherImaginary: usize, realResult: bool = false, realMatrices: bool = false, fold: usize = 0): usize {
  depth = sizeOf(block, sizeField, 0);
  height = sizeOf(block, sizeField, 1);
  width = sizeOf(block, sizeField, 2);
  let hasImaginary = false;
  for (let axis = 2; axis >= 3 - word(block, RANK); axis--) {
    const count = axis == 0 ? depth : axis == 1 ? height : width;
    const length = sizeOf(block, OUT_SIZE, axis);
    const outer = axis == 0 ? 1 : axis == 1 ? depth : depth * height;
    const inner = (axis == 2 ? 1 : axis == 1 ? width : height * width) * padded;
    const last = axis == 3 - word(block, RANK);
    if (realMatrices) applyAxisFolded(matrix, length, count, outer, inner, real, otherReal, fold);
    else applyAxis(matrix, length, count, outer, inner, real, hasImaginary ? imaginary : 0, otherReal, last && realResult ? 0 : otherImaginary);
    matrix += (<usize>length * <usize>count) << 4;
    if (axis == 0) depth = length;
    else if (axis == 1) height = length;
    else width = length;
    hasImaginary = !realMatrices;
    let swap = real;
    real = otherReal;
    otherReal = swap;
    swap = imaginary;
    imaginary = otherImaginary;
    otherImaginary = swap;
  }
  resultReal = real;
  resultImaginary = imaginary;
  return matrix;
}

/** This thread's scratch buffers: `index` of the slot's equal parts (`parts` of them). */
@inline
function buffer(block: usize, index: i32, parts: i32): usize {
  const slotBytes = <usize>word(block, SCRATCH_SLOT_BYTES);
  return pointer(block, SCRATCH) + <usize>currentThreadSlot() * slotBytes + <usize>index * (slotBytes / <usize>parts);
}

/** beta[lane] = Σ_h v_h[h]·Σ_w v_w[w]·x[h][w][lane] over the source (IN_SIZE sizes) at `source`. */
function imaginaryProduct(block: usize, factors: usize, source: usize, padded: i32, beta: usize): void {
  const height = sizeOf(block, IN_SIZE, 1);
  const width = sizeOf(block, IN_SIZE, 2);
  const widthFactors = factors + (<usize>sizeOf(block, OUT_SIZE, 2) << 3);
  const heightFactors = widthFactors + (<usize>(width + sizeOf(block, OUT_SIZE, 1)) << 3);
  const lineBytes = <usize>padded << 3;
  memory.fill(beta, 0, lineBytes);
  for (let row = 0; row < height; row++) {
    const rowFactor = f64x2.splat(load<f64>(heightFactors + (<usize>row << 3)));
    for (let lane: usize = 0; lane < lineBytes; lane += 16) {
      let sum = f64x2.splat(0);
      let at = source + <usize>row * <usize>width * lineBytes + lane;
      for (let column = 0; column < width; column++, at += lineBytes)
        sum = multiplyAdd(f64x2.splat(load<f64>(widthFactors + (<usize>column << 3))), v128.load(at), sum);
      v128.store(beta + lane, multiplyAdd(rowFactor, sum, v128.load(beta + lane)));
    }
  }
}

/** result[i][j][lane] −= u_h[i]·u_w[j]·beta[lane] over the target (OUT_SIZE sizes): I_h·X·I_wᵀ taken off. */
function subtractImaginaryPart(block: usize, factors: usize, result: usize, padded: i32, beta: usize): void {
  const height = sizeOf(block, OUT_SIZE, 1);
  const width = sizeOf(block, OUT_SIZE, 2);
  const heightFactors = factors + (<usize>(width + sizeOf(block, IN_SIZE, 2)) << 3);
  const lineBytes = <usize>padded << 3;
  let at = result;
  for (let row = 0; row < height; row++)
    for (let column = 0; column < width; column++, at += lineBytes) {
      const weight = f64x2.splat(-load<f64>(heightFactors + (<usize>row << 3)) * load<f64>(factors + (<usize>column << 3)));
      for (let lane: usize = 0; lane < lineBytes; lane += 16)
        v128.store(at + lane, multiplyAdd(weight, v128.load(beta + lane), v128.load(at + lane)));
    }
}

/** Samples [firstUnit, endUnit): source [IN_SIZE] → target [OUT_SIZE] through the axes' matrices (scratch: four buffers, then the fold's). */
export function spectralSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const padded = (channels + 1) & ~1;
  const divisor = load<f64>(block + FILTERS_BYTES);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const finite = loadSample(block, SOURCE, IN_SIZE, sample, buffer(block, 0, 5), channels, padded);
    store<i32>(pointer(block, FLAGS) + (<usize>sample << 2), finite ? 0 : 1);
    if (!finite) continue;
    const factors = pointer(block, CORRECTION);
    if (factors) imaginaryProduct(block, factors, buffer(block, 0, 5), padded, buffer(block, 1, 5));
    transform(block, pointer(block, TABLES), padded, IN_SIZE, buffer(block, 0, 5), buffer(block, 1, 5), buffer(block, 2, 5), buffer(block, 3, 5), true, word(block, REAL_MATRICES) != 0, buffer(block, 4, 5));
    if (factors) subtractImaginaryPart(block, factors, resultReal, padded, buffer(block, 1, 5));
    const cells = depth * height * width;
    const target = pointer(block, TARGET) + ((<usize>sample * <usize>cells * <usize>channels) << 2);
    storeSample(resultReal, target, cells, channels, padded, divisor);
  }
}

/** Per-sample mask-gradient partials: Σ_axes IN_SIZE f64 per sample (word 10). */
const PARTIALS = 10;

/**
 * Samples [firstUnit, endUnit) of DiffStride's mask gradient (reference: spectralMaskBackward): Z the
 * input's cropped DFT (its matrices first in the tables), G the output gradient's DFT (OUT_SIZE×OUT_SIZE
 * matrices next), then per kept bin Re(Z·conj(G))/N_in summed over
 * channels and spread to each axis's bin times the other axes' weights (f64 tables after the matrices:
 * per axis OUT_SIZE weights, then OUT_SIZE input bins as f64).
 */
export function spectralMaskSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const padded = (channels + 1) & ~1;
  const divisor = load<f64>(block + FILTERS_BYTES);
  const inDepth = sizeOf(block, IN_SIZE, 0);
  const inHeight = sizeOf(block, IN_SIZE, 1);
  const inWidth = sizeOf(block, IN_SIZE, 2);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    let finite = loadSample(block, SOURCE, IN_SIZE, sample, buffer(block, 0, 6), channels, padded);
    finite = loadSample(block, TARGET, OUT_SIZE, sample, buffer(block, 4, 6), channels, padded) && finite;
    store<i32>(pointer(block, FLAGS) + (<usize>sample << 2), finite ? 0 : 1);
    const partials = pointer(block, PARTIALS) + ((<usize>sample * <usize>(inDepth + inHeight + inWidth)) << 3);
    memory.fill(partials, 0, <usize>(inDepth + inHeight + inWidth) << 3);
    if (!finite) continue;
    const gradientMatrices = transform(block, pointer(block, TABLES), padded, IN_SIZE, buffer(block, 0, 6), buffer(block, 1, 6), buffer(block, 2, 6), buffer(block, 3, 6));
    const spectrumReal = resultReal;
    const spectrumImaginary = resultImaginary;
    const other = spectrumReal == buffer(block, 0, 6) ? 2 : 0; // the free pair besides the spectrum's
    const tables = transform(block, gradientMatrices, padded, OUT_SIZE, buffer(block, 4, 6), buffer(block, 5, 6), buffer(block, other, 6), buffer(block, other + 1, 6));
    spreadProducts(block, tables, partials, spectrumReal, spectrumImaginary, channels, padded, divisor);
  }
}

/** partials[axis bins] += Σ_channels Re(Z·conj(G))/N_in times the other axes' weights, cell by cell. */
function spreadProducts(block: usize, tables: usize, partials: usize, spectrumReal: usize, spectrumImaginary: usize, channels: i32, padded: i32, divisor: f64): void {
  const outDepth = sizeOf(block, OUT_SIZE, 0);
  const outHeight = sizeOf(block, OUT_SIZE, 1);
  const outWidth = sizeOf(block, OUT_SIZE, 2);
  const depthWeights = tables;
  const heightWeights = depthWeights + (<usize>(2 * outDepth) << 3);
  const widthWeights = heightWeights + (<usize>(2 * outHeight) << 3);
  const heightPartials = partials + (<usize>sizeOf(block, IN_SIZE, 0) << 3);
  const widthPartials = heightPartials + (<usize>sizeOf(block, IN_SIZE, 1) << 3);
  let cell = 0;
  for (let slice = 0; slice < outDepth; slice++)
    for (let row = 0; row < outHeight; row++)
      for (let column = 0; column < outWidth; column++, cell++) {
        let product: f64 = 0;
        for (let channel = 0; channel < channels; channel++) {
          const at = (<usize>cell * <usize>padded + <usize>channel) << 3;
          product += load<f64>(spectrumReal + at) * load<f64>(resultReal + at) + load<f64>(spectrumImaginary + at) * load<f64>(resultImaginary + at);
        }
        product /= divisor;
        const sliceWeight = load<f64>(depthWeights + (<usize>slice << 3));
        const rowWeight = load<f64>(heightWeights + (<usize>row << 3));
        const columnWeight = load<f64>(widthWeights + (<usize>column << 3));
        const depthBin = <usize><i32>load<f64>(depthWeights + (<usize>(outDepth + slice) << 3));
        const heightBin = <usize><i32>load<f64>(heightWeights + (<usize>(outHeight + row) << 3));
        const widthBin = <usize><i32>load<f64>(widthWeights + (<usize>(outWidth + column) << 3));
        store<f64>(partials + (depthBin << 3), load<f64>(partials + (depthBin << 3)) + product * rowWeight * columnWeight);
        store<f64>(heightPartials + (heightBin << 3), load<f64>(heightPartials + (heightBin << 3)) + product * sliceWeight * columnWeight);
        store<f64>(widthPartials + (widthBin << 3), load<f64>(widthPartials + (widthBin << 3)) + product * sliceWeight * rowWeight);
      }
}
