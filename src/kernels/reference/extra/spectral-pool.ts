// Spectral pooling (Rippel, Snoek & Adams, NeurIPS 2015) and DiffStride's masked crop (Riad et al.,
// ICLR 2022), reference kernels: per plane, the DFT over the spatial axes, each frequency bin scaled
// by a per-axis mask (all ones for plain spectral pooling), the low frequencies kept, the inverse DFT.
// Output bin j of an axis of out cells holds input bin j for j < ⌈out/2⌉ and bin N − out + j after:
// frequencies −⌊out/2⌋ … ⌈out/2⌉ − 1. y = Re(IDFT(crop(mask·DFT(x))))/N_in: the forward DFT divided
// by the input's cell count (so a constant stays the same constant), the inverse not divided.
import type { PoolingSizes } from '../../../geometry/layout.js';
import { transformAxis } from '../fft.js';
import { forEachLinePair, planeViews, readPlane, withAxis, writePlane, type DenseSizes } from './planes.js';

export interface SpectralGeometry extends PoolingSizes {
  /** Per axis (depth, height, width): the weight of each input frequency bin in DFT order; null: all 1. */
  readonly masks: readonly [Float64Array | null, Float64Array | null, Float64Array | null];
}

/** The input bin that output bin `bin` of an axis keeps. */
export function keptBin(inSize: number, outSize: number, bin: number): number {
  return bin < Math.ceil(outSize / 2) ? bin : inSize - outSize + bin;
}

export interface Complex {
  re: Float64Array;
  im: Float64Array;
}

/**
 * Moves the kept bins along `axis` between the input's sizes (`large`) and the output's (`small`):
 * 'crop' reads large into small, 'pad' writes small into zeros of large; both times the mask's weight.
 */
function moveBins(
  source: Complex,
  target: Complex,
  large: DenseSizes,
  axis: number,
  outSize: number,
  mask: Float64Array | null,
  direction: 'crop' | 'pad',
) {
  const small = withAxis(large, axis, outSize);
  const [from, to] = direction === 'crop' ? [large, small] : [small, large];
  if (direction === 'pad') {
    target.re.fill(0, 0, large[0] * large[1] * large[2]);
    target.im.fill(0, 0, large[0] * large[1] * large[2]);
  }
  forEachLinePair(from, to[axis]!, axis, (first, base, step) => {
    for (let bin = 0; bin < outSize; bin++) {
      const inBin = keptBin(large[axis]!, outSize, bin);
      const weight = mask === null ? 1 : mask[inBin]!;
      const read = direction === 'crop' ? first + inBin * step : first + bin * step;
      const write = direction === 'crop' ? base + bin * step : base + inBin * step;
      target.re[write] = source.re[read]! * weight;
      target.im[write] = source.im[read]! * weight;
    }
  });
  return small;
}

interface Buffers {
  a: Complex;
  b: Complex;
}

function buffersFor(geometry: PoolingSizes): Buffers {
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const complex = () => ({ re: new Float64Array(cells), im: new Float64Array(cells) });
  return { a: complex(), b: complex() };
}

function axesOf(geometry: PoolingSizes): number[] {
  return [0, 1, 2].slice(3 - geometry.spatialDims);
}

/** buffers.a: the plane's DFT over every axis, each axis cropped to the output (masked when `masked`). */
function croppedSpectrum(geometry: SpectralGeometry, buffers: Buffers, masked: boolean): void {
  let sizes: DenseSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const outSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  for (const axis of axesOf(geometry)) {
    transformAxis(buffers.a.re, buffers.a.im, sizes, axis, false);
    sizes = moveBins(
      buffers.a,
      buffers.b,
      sizes,
      axis,
      outSizes[axis]!,
      masked ? (geometry.masks[axis] ?? null) : null,
      'crop',
    );
    [buffers.a, buffers.b] = [buffers.b, buffers.a];
  }
}

/** y = Re(IDFT(crop(mask·DFT(x))))/N_in, plane by plane. */
export function spectralPoolForward(input: Float32Array, output: Float32Array, geometry: SpectralGeometry): void {
  const buffers = buffersFor(geometry);
  const inCells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const outSizes: DenseSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  const outCells = outSizes[0] * outSizes[1] * outSizes[2];
  for (let plane = 0; plane < geometry.batch * geometry.channels; plane++) {
    const views = planeViews(geometry, plane);
    readPlane(input, views.input, buffers.a.re, inCells);
    buffers.a.im.fill(0);
    croppedSpectrum(geometry, buffers, true);
    for (const axis of axesOf(geometry)) transformAxis(buffers.a.re, buffers.a.im, outSizes, axis, true);
    for (let cell = 0; cell < outCells; cell++) buffers.a.re[cell]! /= inCells;
    writePlane(buffers.a.re, views.output, output, outCells);
  }
}

/** buffers.a: the output gradient's DFT over every axis (unnormalised). */
function gradientSpectrum(gradOutput: Float32Array, geometry: SpectralGeometry, buffers: Buffers, plane: number): void {
  const outSizes: DenseSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  readPlane(gradOutput, planeViews(geometry, plane).output, buffers.a.re, outSizes[0] * outSizes[1] * outSizes[2]);
  buffers.a.im.fill(0);
  for (const axis of axesOf(geometry)) transformAxis(buffers.a.re, buffers.a.im, outSizes, axis, false);
}

/** ∂L/∂x = Re(IDFT(mask·pad(DFT(∂L/∂y))))/N_in: the forward's transpose (Rippel et al.'s Algorithm 2). */
export function spectralPoolBackward(
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: SpectralGeometry,
): void {
  const buffers = buffersFor(geometry);
  const inSizes: DenseSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const inCells = inSizes[0] * inSizes[1] * inSizes[2];
  for (let plane = 0; plane < geometry.batch * geometry.channels; plane++) {
    gradientSpectrum(gradOutput, geometry, buffers, plane);
    let sizes: DenseSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
    for (const axis of axesOf(geometry)) {
      const large = withAxis(sizes, axis, inSizes[axis]!);
      moveBins(buffers.a, buffers.b, large, axis, sizes[axis]!, geometry.masks[axis] ?? null, 'pad');
      [buffers.a, buffers.b, sizes] = [buffers.b, buffers.a, large];
      transformAxis(buffers.a.re, buffers.a.im, sizes, axis, true);
    }
    for (let cell = 0; cell < inCells; cell++) buffers.a.re[cell]! /= inCells;
    writePlane(buffers.a.re, planeViews(geometry, plane).input, gradInput, inCells);
  }
}

/**
 * ∂L/∂mask for each axis's input bins, summed over planes (gradMasks[axis] zeroed by the caller):
 * with Z = crop(DFT(x))/N_in and G = DFT(∂L/∂y), bin k of axis a gets Σ Re(Z·conj(G))·Π_{b≠a} mask_b
 * over the kept bins whose axis-a coordinate is k.
 */
export function spectralMaskBackward(
  input: Float32Array,
  gradOutput: Float32Array,
  gradMasks: readonly [Float64Array, Float64Array, Float64Array],
  geometry: SpectralGeometry,
): void {
  const [spectrum, gradient] = [buffersFor(geometry), buffersFor(geometry)];
  const inCells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const grid = keptGrid(geometry);
  for (let plane = 0; plane < geometry.batch * geometry.channels; plane++) {
    readPlane(input, planeViews(geometry, plane).input, spectrum.a.re, inCells);
    spectrum.a.im.fill(0);
    croppedSpectrum(geometry, spectrum, false);
    gradientSpectrum(gradOutput, geometry, gradient, plane);
    addMaskGradients(spectrum.a, gradient.a, grid, gradMasks, inCells);
  }
}

/** Per axis, the input bin and the mask's weight of each output bin. */
export interface KeptGrid {
  readonly sizes: readonly [number, number, number];
  readonly bins: readonly [Int32Array, Int32Array, Int32Array];
  readonly weights: readonly [Float64Array, Float64Array, Float64Array];
}

export function keptGrid(geometry: SpectralGeometry): KeptGrid {
  const inSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const sizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth] as const;
  const bins = sizes.map((size, axis) =>
    Int32Array.from({ length: size }, (_, bin) => keptBin(inSizes[axis]!, size, bin)),
  );
  const weights = bins.map((list, axis) => Float64Array.from(list, (bin) => geometry.masks[axis]?.[bin] ?? 1));
  return {
    sizes,
    bins: bins as [Int32Array, Int32Array, Int32Array],
    weights: weights as [Float64Array, Float64Array, Float64Array],
  };
}

/** gradMasks[a][bin_a] += Re(Z·conj(G))/N_in · Π_{b≠a} mask_b over the output grid (one plane). */
export function addMaskGradients(
  spectrum: Complex,
  gradient: Complex,
  grid: KeptGrid,
  gradMasks: readonly [Float64Array, Float64Array, Float64Array],
  inCells: number,
): void {
  const [depthBins, heightBins, widthBins] = grid.bins;
  const [depthWeights, heightWeights, widthWeights] = grid.weights;
  const [gradDepth, gradHeight, gradWidth] = gradMasks;
  let cell = 0;
  for (let slice = 0; slice < grid.sizes[0]; slice++)
    for (let row = 0; row < grid.sizes[1]; row++)
      for (let column = 0; column < grid.sizes[2]; column++, cell++) {
        const product = (spectrum.re[cell]! * gradient.re[cell]! + spectrum.im[cell]! * gradient.im[cell]!) / inCells;
        gradDepth[depthBins[slice]!]! += product * heightWeights[row]! * widthWeights[column]!;
        gradHeight[heightBins[row]!]! += product * depthWeights[slice]! * widthWeights[column]!;
        gradWidth[widthBins[column]!]! += product * depthWeights[slice]! * heightWeights[row]!;
      }
}
