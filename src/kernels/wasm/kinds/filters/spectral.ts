// Spectral pooling's (and DiffStride's) crop as per-axis complex matrices on the samples
// (assembly/kinds/filters/spectral.ts), forward and backward through the same kernel; channelsFirst
// planes run as samples of one channel; where every axis's matrix is real (odd outputs, symmetric
// masks: the seed model's case) as real products, and at ranks 1-2 also where an even output's
// unpaired frequency makes the imaginary parts one outer product (real products less a rank-one
// correction, see runSpectral), and DiffStride's mask gradient without spectra
// (spectral-mask-real.ts). Samples holding a non-finite value are redone by the reference kernel,
// alone (the FFT's exact twiddles decide where NaN and ±Infinity go).
import { heap } from '../../../../tensor/heap.js';
import {
  keptBin,
  spectralMaskBackward,
  spectralPoolBackward,
  spectralPoolForward,
  type SpectralGeometry,
} from '../../../reference/extra/spectral-pool.js';
import type { PoolingKernels } from '../../../types.js';
import type { KernelModule } from '../../loader.js';
import { wordsOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, FILTERS_BYTES, filterSamples, placeTablesAndScratch, WORDS } from './block.js';
import { axisMatrix, dftMatrix, foldedContraction } from './spectral-matrices.js';

/** After the sizes (words 2-7): the rank (word 8, set with them), then the flags' address. */
const FLAGS_WORD = 9;
/** The mask kernel's per-sample partials. */
const PARTIALS_WORD = 10;
/** Non-zero: every axis's matrix is real, or real and an outer product (assembly/kinds/filters/spectral-real.ts's path). */
const REAL_WORD = 16;
/** Where both axes' imaginary parts are outer products u·vᵀ: the address of u_w, v_w, u_h, v_h (else 0). */
const CORRECTION_WORD = 17;

/** Runs the kernel from `sourceSizes` to `targetSizes`; returns the flagged samples (for the reference). */
function runSpectral(
  kinds: KernelModule,
  geometry: SpectralGeometry,
  source: Float32Array,
  target: Float32Array,
  backward: boolean,
): number[] {
  const inSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const outSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  const [sourceSizes, targetSizes] = backward ? [outSizes, inSizes] : [inSizes, outSizes];
  const axes = [2, 1, 0].slice(0, geometry.spatialDims);
  const axisMatrices = axes.map((axis) =>
    axisMatrix(inSizes[axis]!, outSizes[axis]!, geometry.masks[axis] ?? null, backward),
  );
  // Re(M_h·X·M_wᵀ) = R_h·X·R_wᵀ − I_h·X·I_wᵀ: with real parts foldable and each I zero or u·vᵀ, the real
  // path on R, less (v_hᵀ·X·v_w)·u_h·u_wᵀ where both axes have an I (rank 1: the real part alone)
  const real =
    axisMatrices.every((matrix) => matrix.folded !== null) &&
    (geometry.spatialDims < 3 || axisMatrices.every((matrix) => matrix.real));
  const factors = axisMatrices.map((matrix) => matrix.imaginaryFactors);
  const correction = real && factors.length === 2 && factors.every((factor) => factor !== null);
  // the real path reads each axis's folded tables in the real parts' place (its imaginary parts unread)
  const matrices = axisMatrices.map((matrix) =>
    real ? joined([matrix.folded!, matrix.values.subarray(matrix.folded!.length)]) : matrix.values,
  );
  if (correction) matrices.push(joined(factors.flatMap((factor) => [factor!.u, factor!.v])));
  const matrixValues = matrices.reduce((total, matrix) => total + matrix.length, 0);
  const { samples, channels } = filterSamples(geometry);
  const bufferCells = inSizes.reduce((total, size, axis) => total * Math.max(size, outSizes[axis]!), 1);
  const bufferBytes = 8 * bufferCells * (channels + (channels % 2));
  const addresses = wordsOf(WORDS, { source, target }); // before the tables' alloc may detach the views
  // four buffers for the transforms, a fifth for the real path's folded lines
  const placed = placeTablesAndScratch(kinds, 8 * matrixValues + 4 * samples, 5 * bufferBytes, getThreadCount());
  try {
    const { words, doubles } = blockViews(kinds);
    words.set([samples, channels, ...sourceSizes, ...targetSizes, geometry.spatialDims], WORDS.samples);
    words[FLAGS_WORD] = placed.tables + 8 * matrixValues;
    words[REAL_WORD] = real ? 1 : 0;
    words[CORRECTION_WORD] = correction
      ? placed.tables + 8 * (matrixValues - matrices[matrices.length - 1]!.length)
      : 0;
    for (const [word, address] of addresses) words[word] = address;
    doubles[FILTERS_BYTES / 8] = geometry.inDepth * geometry.inHeight * geometry.inWidth;
    const tables = new Float64Array(heap.memory.buffer, placed.tables, matrixValues);
    let offset = 0;
    for (const matrix of matrices) {
      tables.set(matrix, offset);
      offset += matrix.length;
    }
    parallelFor(kinds, 'spectralSamples', samples, (source.byteLength + target.byteLength) * 8);
    const flags = new Int32Array(heap.memory.buffer, placed.tables + 8 * matrixValues, samples);
    return [...flags.keys()].filter((sample) => flags[sample] !== 0);
  } finally {
    placed.release();
  }
}

/** The reference kernel on one flagged sample (a batch entry, or one plane of channelsFirst). */
function referenceOnSample(
  geometry: SpectralGeometry,
  sample: number,
  source: Float32Array,
  target: Float32Array,
  backward: boolean,
): void {
  const inCells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const outCells = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  const channels = geometry.channelsLast ? geometry.channels : 1;
  const [sourceCells, targetCells] = backward ? [outCells, inCells] : [inCells, outCells];
  const slice = (view: Float32Array, cells: number) =>
    view.subarray(sample * cells * channels, (sample + 1) * cells * channels);
  const one = { ...geometry, batch: 1, channels };
  if (backward) spectralPoolBackward(slice(source, sourceCells), slice(target, targetCells), one);
  else spectralPoolForward(slice(source, sourceCells), slice(target, targetCells), one);
}

/** The complex mask kernel's tables: crop-DFT matrices, output DFTs, then per axis the kept bins' weights and bins. */
function maskTables(geometry: SpectralGeometry): Float64Array {
  const { inSizes, outSizes } = sizesOf(geometry);
  const axes = [2, 1, 0].slice(0, geometry.spatialDims);
  return joined([
    ...axes.map((axis) => dftMatrix(inSizes[axis]!, outSizes[axis]!)),
    ...axes.map((axis) => dftMatrix(outSizes[axis]!, outSizes[axis]!)),
    ...[0, 1, 2].map((axis) => Float64Array.from([...keptWeights(geometry, axis), ...keptBins(geometry, axis)])),
  ]);
}

/**
 * The real mask kernel's tables (assembly/kinds/filters/spectral-mask-real.ts), or null where it does
 * not apply (rank 3, or a crop matrix that is not real): M_hᵀ and M_wᵀ (folded), the height
 * axis's folded contraction, the width axis's, then the height bins, the width bins and weights.
 */
function realMaskTables(geometry: SpectralGeometry): Float64Array | null {
  if (geometry.spatialDims === 3) return null;
  const { inSizes, outSizes } = sizesOf(geometry);
  const matrices = [1, 2].map((axis) =>
    axisMatrix(inSizes[axis]!, outSizes[axis]!, geometry.masks[axis] ?? null, true),
  );
  if (!matrices.every((matrix) => matrix.real)) return null;
  return joined([
    ...matrices.map((matrix) => matrix.folded!),
    ...[1, 2].map((axis) => foldedContraction(inSizes[axis]!, outSizes[axis]!)),
    Float64Array.from(keptBins(geometry, 1)),
    Float64Array.from([...keptBins(geometry, 2), ...keptWeights(geometry, 2)]),
  ]);
}

function sizesOf(geometry: SpectralGeometry): { inSizes: number[]; outSizes: number[] } {
  return {
    inSizes: [geometry.inDepth, geometry.inHeight, geometry.inWidth],
    outSizes: [geometry.outDepth, geometry.outHeight, geometry.outWidth],
  };
}

function keptBins(geometry: SpectralGeometry, axis: number): number[] {
  const { inSizes, outSizes } = sizesOf(geometry);
  return Array.from({ length: outSizes[axis]! }, (_, bin) => keptBin(inSizes[axis]!, outSizes[axis]!, bin));
}

function keptWeights(geometry: SpectralGeometry, axis: number): number[] {
  return keptBins(geometry, axis).map((bin) => geometry.masks[axis]?.[bin] ?? 1);
}

function joined(parts: readonly Float64Array[]): Float64Array {
  const tables = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
  parts.reduce((offset, part) => (tables.set(part, offset), offset + part.length), 0);
  return tables;
}

/** Per-thread scratch of the mask kernels: six buffers of the largest sizes (complex), or the real kernel's x, g, U, V, S_w, S_h, a fold of g's size, x folded twice, U and V folded. */
function maskScratchBytes(geometry: SpectralGeometry, real: boolean): number {
  const { inSizes, outSizes } = sizesOf(geometry);
  const padded = geometry.channelsLast ? geometry.channels + (geometry.channels % 2) : 2;
  if (!real) return 6 * 8 * padded * inSizes.reduce((total, size, axis) => total * Math.max(size, outSizes[axis]!), 1);
  const [inH, inW, outH, outW] = [inSizes[1]!, inSizes[2]!, outSizes[1]!, outSizes[2]!];
  const buffers = 3 * inH * inW + 2 * outH * outW + 2 * inH * outW + 2 * outH * inW; // x, g, U, V, fold, and x, U, V folded
  return 8 * padded * buffers + 8 * (inW * outW + inH * outH);
}

/**
 * DiffStride's mask gradient: per-sample partials from the kernel, added to gradMasks in sample order
 * (flagged samples through the reference there), so any thread count gives the same sums.
 */
function maskBackward(
  kinds: KernelModule,
  input: Float32Array,
  gradOutput: Float32Array,
  gradMasks: readonly [Float64Array, Float64Array, Float64Array],
  geometry: SpectralGeometry,
): void {
  const { inSizes, outSizes } = sizesOf(geometry);
  const { samples, channels } = filterSamples(geometry);
  const realTables = realMaskTables(geometry);
  const tables = realTables ?? maskTables(geometry);
  const perSample = inSizes[0]! + inSizes[1]! + inSizes[2]!;
  const addresses = wordsOf(WORDS, { source: input, target: gradOutput }); // before the tables' alloc
  const tableBytes = 8 * tables.length + 8 * samples * perSample + 4 * samples;
  const scratchBytes = maskScratchBytes(geometry, realTables !== null);
  const placed = placeTablesAndScratch(kinds, tableBytes, scratchBytes, getThreadCount());
  try {
    const { words, doubles } = blockViews(kinds);
    words.set([samples, channels, ...inSizes, ...outSizes, geometry.spatialDims], WORDS.samples);
    const partialsAddress = placed.tables + 8 * tables.length;
    words[PARTIALS_WORD] = partialsAddress;
    words[FLAGS_WORD] = partialsAddress + 8 * samples * perSample;
    for (const [word, address] of addresses) words[word] = address;
    doubles[FILTERS_BYTES / 8] = inSizes[0]! * inSizes[1]! * inSizes[2]!;
    new Float64Array(heap.memory.buffer, placed.tables, tables.length).set(tables);
    const name = realTables === null ? 'spectralMaskSamples' : 'spectralMaskRealSamples';
    parallelFor(kinds, name, samples, (input.byteLength + gradOutput.byteLength) * 8);
    const partials = new Float64Array(heap.memory.buffer, partialsAddress, samples * perSample);
    const flags = new Int32Array(heap.memory.buffer, partialsAddress + 8 * samples * perSample, samples);
    for (let sample = 0; sample < samples; sample++) {
      if (flags[sample] !== 0) maskOnSample(geometry, sample, input, gradOutput, gradMasks);
      else addPartials(partials.subarray(sample * perSample, (sample + 1) * perSample), gradMasks);
    }
  } finally {
    placed.release();
  }
}

function addPartials(partials: Float64Array, gradMasks: readonly [Float64Array, Float64Array, Float64Array]): void {
  let offset = 0;
  for (const gradMask of gradMasks) {
    for (let bin = 0; bin < gradMask.length; bin++) gradMask[bin]! += partials[offset + bin]!;
    offset += gradMask.length;
  }
}

function maskOnSample(
  geometry: SpectralGeometry,
  sample: number,
  input: Float32Array,
  gradOutput: Float32Array,
  gradMasks: readonly [Float64Array, Float64Array, Float64Array],
): void {
  const channels = geometry.channelsLast ? geometry.channels : 1;
  const inCells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const outCells = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  const slice = (view: Float32Array, cells: number) =>
    view.subarray(sample * cells * channels, (sample + 1) * cells * channels);
  const one = { ...geometry, batch: 1, channels };
  spectralMaskBackward(slice(input, inCells), slice(gradOutput, outCells), gradMasks, one);
}

export function createSpectralKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'spectralPoolForward' | 'spectralPoolBackward' | 'spectralMaskBackward'> {
  const run = (geometry: SpectralGeometry, source: Float32Array, target: Float32Array, backward: boolean) => {
    for (const sample of runSpectral(kinds, geometry, source, target, backward))
      referenceOnSample(geometry, sample, source, target, backward);
  };
  return {
    spectralPoolForward: (input, output, geometry) => run(geometry, input, output, false),
    spectralPoolBackward: (gradOutput, gradInput, geometry) => run(geometry, gradOutput, gradInput, true),
    spectralMaskBackward: (input, gradOutput, gradMasks, geometry) =>
      maskBackward(kinds, input, gradOutput, gradMasks, geometry),
  };
}
