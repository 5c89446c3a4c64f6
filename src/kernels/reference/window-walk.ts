// The one window walk of the reference kernels: every pooling kind visits the same cells in the
// same order (batch, channel, output depth/height/width, then window depth/height/width, row-major)
// and differs only in its reducer. The order fixes which of tied maxima wins, as in PyTorch.
import { stridesOf } from '../../geometry/layout.js';
import type { PoolGeometry } from '../../geometry/pool-geometry.js';

/** What a window held: in-bounds cells, and cells inside input plus padding (for averages). */
export interface WindowCounts {
  inBounds: number;
  inPadded: number;
}

export interface WindowReducer {
  begin(): void;
  /** An in-bounds cell: its element index in the input, and its flat spatial index in its plane. */
  visit(inputIndex: number, spatialIndex: number): void;
  /** The window is done; its result belongs at element `outputIndex` of the output. */
  finish(outputIndex: number, counts: WindowCounts): void;
}

export function walkPoolWindows(geometry: PoolGeometry, reducer: WindowReducer): void {
  const { batch, channels, channelsLast, outDepth, outHeight, outWidth } = geometry;
  const inStrides = stridesOf(channelsLast, channels, geometry.inDepth * geometry.inHeight * geometry.inWidth);
  const outStrides = stridesOf(channelsLast, channels, outDepth * outHeight * outWidth);
  const counts: WindowCounts = { inBounds: 0, inPadded: 0 };
  for (let plane = 0; plane < batch * channels; plane++) {
    const sample = Math.floor(plane / channels);
    const channel = plane % channels;
    const inBase = sample * inStrides.batch + channel * inStrides.channel;
    const outBase = sample * outStrides.batch + channel * outStrides.channel;
    for (let outCell = 0; outCell < outDepth * outHeight * outWidth; outCell++) {
      const outRow = Math.floor(outCell / outWidth) % outHeight;
      const outSlice = Math.floor(outCell / (outWidth * outHeight));
      reducer.begin();
      walkWindow(geometry, [outSlice, outRow, outCell % outWidth], inBase, inStrides.spatial, reducer, counts);
      reducer.finish(outBase + outCell * outStrides.spatial, counts);
    }
  }
}

/** The taps of one window along one axis: in-bounds taps [low, high), and taps inside input plus padding. */
export interface AxisTaps {
  low: number;
  high: number;
  padded: number;
}

/**
 * Which taps k (0 ≤ k < kernel) of a window whose tap 0 sits at input coordinate `first` fall in
 * the input [0, inSize) and in the input plus its after-padding: found by division, so the work per
 * window is bounded by the input, never by the kernel size. (Tap 0 never lies before the padding.)
 */
export function axisTaps(first: number, kernel: number, dilation: number, inSize: number, padAfter: number): AxisTaps {
  const tapsBefore = (limit: number): number => Math.max(0, Math.min(kernel, Math.ceil((limit - first) / dilation)));
  const low = first >= 0 ? 0 : tapsBefore(0);
  return { low, high: Math.max(low, tapsBefore(inSize)), padded: tapsBefore(inSize + padAfter) };
}

/** The most in-bounds cells any window of the geometry holds: what a buffer of one window's cells needs. */
export function windowCapacity(geometry: PoolGeometry): number {
  const along = (kernel: number, dilation: number, inSize: number): number =>
    Math.min(kernel, Math.ceil(inSize / dilation));
  return (
    along(geometry.kernelDepth, geometry.dilationDepth, geometry.inDepth) *
    along(geometry.kernelHeight, geometry.dilationHeight, geometry.inHeight) *
    along(geometry.kernelWidth, geometry.dilationWidth, geometry.inWidth)
  );
}

/**
 * Visits the in-bounds cells of one output cell's window in window order (depth, height, width,
 * row-major), and counts them and the window's taps inside input plus padding. Taps outside the
 * input are skipped by arithmetic, so a huge kernel costs no more than the input it overlaps.
 */
function walkWindow(
  geometry: PoolGeometry,
  [outSlice, outRow, outColumn]: [number, number, number],
  inBase: number,
  spatialStride: number,
  reducer: WindowReducer,
  counts: WindowCounts,
): void {
  const { inHeight, inWidth } = geometry;
  const firstSlice = outSlice * geometry.strideDepth - geometry.padFront;
  const firstRow = outRow * geometry.strideHeight - geometry.padTop;
  const firstColumn = outColumn * geometry.strideWidth - geometry.padLeft;
  const { dilationDepth, dilationHeight, dilationWidth } = geometry;
  const slices = axisTaps(firstSlice, geometry.kernelDepth, dilationDepth, geometry.inDepth, geometry.padBack);
  const rows = axisTaps(firstRow, geometry.kernelHeight, dilationHeight, inHeight, geometry.padBottom);
  const columns = axisTaps(firstColumn, geometry.kernelWidth, dilationWidth, inWidth, geometry.padRight);
  counts.inBounds = (slices.high - slices.low) * (rows.high - rows.low) * (columns.high - columns.low);
  counts.inPadded = slices.padded * rows.padded * columns.padded;
  for (let kernelSlice = slices.low; kernelSlice < slices.high; kernelSlice++) {
    const slice = firstSlice + kernelSlice * dilationDepth;
    for (let kernelRow = rows.low; kernelRow < rows.high; kernelRow++) {
      const rowIndex = (slice * inHeight + firstRow + kernelRow * dilationHeight) * inWidth;
      for (let kernelColumn = columns.low; kernelColumn < columns.high; kernelColumn++) {
        const spatialIndex = rowIndex + firstColumn + kernelColumn * dilationWidth;
        reducer.visit(inBase + spatialIndex * spatialStride, spatialIndex);
      }
    }
  }
}
