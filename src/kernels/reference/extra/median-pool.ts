// Median pooling, reference kernel: the median of each window's in-bounds cells and the cell it is
// taken from (argmedian), whose gradient the backward scatters by argmaxScatterAdd as min pooling's.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import { rankWindow, readWindow, windowScratch, type WindowScratch } from './window-values.js';

/**
 * The window position of the median: the lower of the two middle values for an even count (as
 * torch.median), and among cells equal to it the first in window order; the first NaN when the
 * window holds NaN; −1 for an empty window.
 */
function medianPosition(input: Float32Array, window: CollectedWindow, scratch: WindowScratch): number {
  const { values, order } = scratch;
  if (window.count === 0) return -1;
  // findIndex stops inside the window's count: the value it looks for is one of the window's.
  if (readWindow(input, window, values)) return values.findIndex(Number.isNaN);
  rankWindow(values, window.count, order); // largest first: the lower median sits at count − 1 − ⌊(count − 1)/2⌋
  const median = values[order[window.count - 1 - Math.floor((window.count - 1) / 2)]!]!;
  return values.findIndex((value) => value === median);
}

/** Median of each window (0 for an empty one); `argmedian` (optional) gets the chosen cell's flat spatial index. */
export function medianPoolForward(
  input: Float32Array,
  output: Float32Array,
  argmedian: Int32Array | null,
  geometry: PoolGeometry,
): void {
  const scratch = windowScratch(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const position = medianPosition(input, window, scratch);
    output[outputIndex] = position < 0 ? 0 : input[window.inputIndices[position]!]!;
    if (argmedian !== null) argmedian[outputIndex] = position < 0 ? -1 : window.spatialIndices[position]!;
  });
}
