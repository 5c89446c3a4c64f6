// Spectral pooling's (and DiffStride's) crop as per-axis complex matrices on the samples
// (assembly/kinds/filters/spectral.ts), forward and backward through the same kernel; channelsFirst
// planes run as samples of one channel. Samples holding a non-finite value are redone by the
// reference kernel, alone (the FFT's exact twiddles decide where NaN and ±Infinity go).
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
import { addressOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, FILTERS_BYTES, placeTablesAndScratch, Word } from './block.js';

/** After the sizes (words 2-7): the rank (word 8, set with them), then the flags' address. */
const FLAGS_WORD = 9;
/** The mask kernel's per-sample partials. */
const PARTIALS_WORD = 10;

/** e^{2πi·sign·numerator/denominator}, the angle reduced exactly first. */
function unit(sign: number, numerator: number, denominator: number): [number, number] {
  const angle = (sign * 2 * Math.PI * (numerator % denominator)) / denominator;
  return [Math.cos(angle), Math.sin(angle)];
}

/**
 * One axis's matrix, `rows`×`columns`, real parts then imaginary: forward (rows = out cells,
 * columns = in cells) M[j][k] = Σ_b e^{+2πi·b·j/out}·w_b·e^{−2πi·bin(b)·k/in}; backward (rows = in,
 * columns = out) M[k][j] = Σ_b e^{+2πi·bin(b)·k/in}·w_b·e^{−2πi·b·j/out}.
 */
function axisMatrix(inSize: number, outSize: number, mask: Float64Array | null, backward: boolean): Float64Array {
  const [rows, columns] = backward ? [inSize, outSize] : [outSize, inSize];
  const matrix = new Float64Array(2 * rows * columns);
  for (let bin = 0; bin < outSize; bin++) {
    const inBin = keptBin(inSize, outSize, bin);
    const weight = mask === null ? 1 : mask[inBin]!;
    for (let row = 0; row < rows; row++) {
      const [outerRe, outerIm] = backward ? unit(1, inBin * row, inSize) : unit(1, bin * row, outSize);
      for (let column = 0; column < columns; column++) {
        const [innerRe, innerIm] = backward ? unit(-1, bin * column, outSize) : unit(-1, inBin * column, inSize);
        matrix[row * columns + column]! += weight * (outerRe * innerRe - outerIm * innerIm);
        matrix[rows * columns + row * columns + column]! += weight * (outerRe * innerIm + outerIm * innerRe);
      }
    }
  }
  return matrix;
}

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
  const matrices = axes.map((axis) =>
    axisMatrix(inSizes[axis]!, outSizes[axis]!, geometry.masks[axis] ?? null, backward),
  );
  const matrixValues = matrices.reduce((total, matrix) => total + matrix.length, 0);
  const channels = geometry.channelsLast ? geometry.channels : 1;
  const samples = geometry.channelsLast ? geometry.batch : geometry.batch * geometry.channels;
  const bufferCells = inSizes.reduce((total, size, axis) => total * Math.max(size, outSizes[axis]!), 1);
  const bufferBytes = 8 * bufferCells * (channels + (channels % 2));
  const [sourceAddress, targetAddress] = [addressOf(source), addressOf(target)];
  const placed = placeTablesAndScratch(kinds, 8 * matrixValues + 4 * samples, 4 * bufferBytes, getThreadCount());
  try {
    const { words, doubles } = blockViews(kinds);
    words.set([samples, channels, ...sourceSizes, ...targetSizes, geometry.spatialDims], Word.Samples);
    words[FLAGS_WORD] = placed.tables + 8 * matrixValues;
    words[Word.Source] = sourceAddress;
    words[Word.Target] = targetAddress;
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

/** The DFT of `inSize` cells at the kept bins of `outSize` (crop) or at every bin (outSize = inSize). */
function dftMatrix(inSize: number, outSize: number): Float64Array {
  const matrix = new Float64Array(2 * outSize * inSize);
  for (let bin = 0; bin < outSize; bin++)
    for (let cell = 0; cell < inSize; cell++) {
      const [re, im] = unit(-1, keptBin(inSize, outSize, bin) * cell, inSize);
      matrix[bin * inSize + cell] = re;
      matrix[outSize * inSize + bin * inSize + cell] = im;
    }
  return matrix;
}

/** The mask kernel's tables: crop-DFT matrices, output DFTs, then per axis the kept bins' weights and bins. */
function maskTables(geometry: SpectralGeometry): Float64Array {
  const inSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const outSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  const axes = [2, 1, 0].slice(0, geometry.spatialDims);
  const parts = [
    ...axes.map((axis) => dftMatrix(inSizes[axis]!, outSizes[axis]!)),
    ...axes.map((axis) => dftMatrix(outSizes[axis]!, outSizes[axis]!)),
    ...[0, 1, 2].map((axis) => {
      const bins = Array.from({ length: outSizes[axis]! }, (_, bin) => keptBin(inSizes[axis]!, outSizes[axis]!, bin));
      const weights = bins.map((bin) => geometry.masks[axis]?.[bin] ?? 1);
      return Float64Array.from([...weights, ...bins]);
    }),
  ];
  const tables = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
  parts.reduce((offset, part) => (tables.set(part, offset), offset + part.length), 0);
  return tables;
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
  const inSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const outSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  const channels = geometry.channelsLast ? geometry.channels : 1;
  const samples = geometry.channelsLast ? geometry.batch : geometry.batch * geometry.channels;
  const tables = maskTables(geometry);
  const perSample = inSizes[0]! + inSizes[1]! + inSizes[2]!;
  const bufferCells = inSizes.reduce((total, size, axis) => total * Math.max(size, outSizes[axis]!), 1);
  const bufferBytes = 8 * bufferCells * (channels + (channels % 2));
  const [inputAddress, gradientAddress] = [addressOf(input), addressOf(gradOutput)];
  const tableBytes = 8 * tables.length + 8 * samples * perSample + 4 * samples;
  const placed = placeTablesAndScratch(kinds, tableBytes, 6 * bufferBytes, getThreadCount());
  try {
    const { words, doubles } = blockViews(kinds);
    words.set([samples, channels, ...inSizes, ...outSizes, geometry.spatialDims], Word.Samples);
    const partialsAddress = placed.tables + 8 * tables.length;
    words[PARTIALS_WORD] = partialsAddress;
    words[FLAGS_WORD] = partialsAddress + 8 * samples * perSample;
    words[Word.Source] = inputAddress;
    words[Word.Target] = gradientAddress;
    doubles[FILTERS_BYTES / 8] = inSizes[0]! * inSizes[1]! * inSizes[2]!;
    new Float64Array(heap.memory.buffer, placed.tables, tables.length).set(tables);
    parallelFor(kinds, 'spectralMaskSamples', samples, (input.byteLength + gradOutput.byteLength) * 8);
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
