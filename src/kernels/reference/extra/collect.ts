// The window walk with each window's cells gathered first: the extra pooling kinds need two passes
// over a window (a sum, then a draw; a max and a mean, then a gate), so they see the whole list.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkPoolWindows, windowCapacity, type WindowCounts } from '../window-walk.js';

/** The in-bounds cells of one window, in window (row-major) order; only the first `count` are valid. */
export interface CollectedWindow {
  count: number;
  readonly inputIndices: Int32Array;
  readonly spatialIndices: Int32Array;
}

export type WindowVisitor = (window: CollectedWindow, outputIndex: number, counts: WindowCounts) => void;

export function walkCollectedWindows(geometry: PoolGeometry, visitor: WindowVisitor): void {
  const capacity = windowCapacity(geometry);
  const window: CollectedWindow = {
    count: 0,
    inputIndices: new Int32Array(capacity),
    spatialIndices: new Int32Array(capacity),
  };
  walkPoolWindows(geometry, {
    begin() {
      window.count = 0;
    },
    visit(inputIndex, spatialIndex) {
      window.inputIndices[window.count] = inputIndex;
      window.spatialIndices[window.count] = spatialIndex;
      window.count++;
    },
    finish(outputIndex, counts) {
      visitor(window, outputIndex, counts);
    },
  });
}

/** The channel an output element belongs to (for per-channel parameters). */
export function channelOfOutput(geometry: PoolGeometry, outputIndex: number): number {
  if (geometry.channelsLast) return outputIndex % geometry.channels;
  const outSpatial = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  return Math.floor(outputIndex / outSpatial) % geometry.channels;
}

/** Position of an input cell inside the window of an output element: d·kH·kW + h·kW + w (row-major taps). */
export function tapOfCell(geometry: PoolGeometry, outputIndex: number, spatialIndex: number): number {
  const { inHeight, inWidth, outHeight, outWidth, channels } = geometry;
  const outSpatial = geometry.outDepth * outHeight * outWidth;
  const outCell = geometry.channelsLast ? Math.floor(outputIndex / channels) % outSpatial : outputIndex % outSpatial;
  const outColumn = outCell % outWidth;
  const outRow = Math.floor(outCell / outWidth) % outHeight;
  const outSlice = Math.floor(outCell / (outWidth * outHeight));
  const column = spatialIndex % inWidth;
  const row = Math.floor(spatialIndex / inWidth) % inHeight;
  const slice = Math.floor(spatialIndex / (inWidth * inHeight));
  const kernelColumn = (column - (outColumn * geometry.strideWidth - geometry.padLeft)) / geometry.dilationWidth;
  const kernelRow = (row - (outRow * geometry.strideHeight - geometry.padTop)) / geometry.dilationHeight;
  const kernelSlice = (slice - (outSlice * geometry.strideDepth - geometry.padFront)) / geometry.dilationDepth;
  return (kernelSlice * geometry.kernelHeight + kernelRow) * geometry.kernelWidth + kernelColumn;
}

/** Max (NaN propagates, first of ties, as max pooling) and in-bounds mean of a collected window. */
export interface WindowStats {
  max: number;
  /** Position in the window list of the max, -1 for an empty window. */
  maxPosition: number;
  mean: number;
}

export function windowStats(input: Float32Array, window: CollectedWindow, into: WindowStats): WindowStats {
  let max = -Infinity;
  let maxPosition = -1;
  let sum = 0;
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    if (maxPosition < 0) maxPosition = position;
    if (value > max || Number.isNaN(value)) {
      max = value;
      maxPosition = position;
    }
    sum += value;
  }
  into.max = window.count === 0 ? 0 : max;
  into.maxPosition = maxPosition;
  into.mean = window.count === 0 ? 0 : sum / window.count;
  return into;
}

/** The collected walk with each window's max and mean worked out first (mixed and gated pooling). */
export function walkWindowStats(
  input: Float32Array,
  geometry: PoolGeometry,
  visitor: (window: CollectedWindow, outputIndex: number, stats: WindowStats) => void,
): void {
  const stats: WindowStats = { max: 0, maxPosition: -1, mean: 0 };
  walkCollectedWindows(geometry, (window, outputIndex) =>
    visitor(window, outputIndex, windowStats(input, window, stats)),
  );
}
