// The one window walk of the reference kernels: every pooling kind visits the same cells in the
// same order (batch, channel, output depth/height/width, then window depth/height/width, row-major)
// and differs only in its reducer. The order fixes which of tied maxima wins, as in PyTorch.
import { stridesOf, type PoolingSizes } from '../../geometry/layout.js';
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
  const counts: WindowCounts = { inBounds: 0, inPadded: 0 };
  forEachOutputCell(geometry, (inBase, outputIndex, position, spatialStride) => {
    reducer.begin();
    walkWindow(geometry, position, inBase, spatialStride, reducer, counts);
    reducer.finish(outputIndex, counts);
  });
}

/**
 * Visits every output cell in walk order (plane, then output depth/height/width): the offset of its
 * input plane, its output element, its [slice, row, column] and the input's step per spatial cell.
 */
export function forEachOutputCell(
  sizes: PoolingSizes,
  visit: (inBase: number, outputIndex: number, position: [number, number, number], spatialStride: number) => void,
): void {
  const { batch, channels, channelsLast, outDepth, outHeight, outWidth } = sizes;
  const inStrides = stridesOf(channelsLast, channels, sizes.inDepth * sizes.inHeight * sizes.inWidth);
  const outStrides = stridesOf(channelsLast, channels, outDepth * outHeight * outWidth);
  for (let plane = 0; plane < batch * channels; plane++) {
    const sample = Math.floor(plane / channels);
    const channel = plane % channels;
    const inBase = sample * inStrides.batch + channel * inStrides.channel;
    const outBase = sample * outStrides.batch + channel * outStrides.channel;
    for (let outCell = 0; outCell < outDepth * outHeight * outWidth; outCell++) {
      const outRow = Math.floor(outCell / outWidth) % outHeight;
      const outSlice = Math.floor(outCell / (outWidth * outHeight));
      visit(inBase, outBase + outCell * outStrides.spatial, [outSlice, outRow, outCell % outWidth], inStrides.spatial);
    }
  }
}

/**
 * Walks every window with its in-bounds cells gathered, for backward passes that spread a window's
 * gradient over its cells: `onWindow(outputIndex, cells, count, counts)`, cells[0, count) the
 * input element indices in walk order.
 */
export function walkWindowCells(
  geometry: PoolGeometry,
  onWindow: (outputIndex: number, cells: Int32Array, count: number, counts: WindowCounts) => void,
): void {
  const cells = new Int32Array(windowCapacity(geometry));
  let count = 0;
  walkPoolWindows(geometry, {
    begin() {
      count = 0;
    },
    visit(inputIndex) {
      cells[count++] = inputIndex;
    },
    finish(outputIndex, counts) {
      onWindow(outputIndex, cells, count, counts);
    },
  });
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
