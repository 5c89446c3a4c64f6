// The window walk of adaptive pooling: like walkPoolWindows (window-walk.ts) but every output cell
// pools input cells floor(i·In/Out) up to ceil((i+1)·In/Out) per axis, so windows vary in size.
// Same visiting order (plane, output cell, then window depth/height/width row-major), same reducers.
import { adaptiveEnd, adaptiveStart, type AdaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import { forEachOutputCell, type WindowCounts } from './window-walk.js';

/**
 * A reducer over adaptive windows. `begin` learns the output element and the window's cell count
 * before the visits, which a backward pass needs; max and average reducers may ignore both.
 */
export interface AdaptiveReducer {
  begin(outputIndex: number, windowCells: number): void;
  /** A cell of the window: its element index in the input, and its flat spatial index in its plane. */
  visit(inputIndex: number, spatialIndex: number): void;
  finish(outputIndex: number, counts: WindowCounts): void;
}

/** [start, end) of every output cell along one axis. */
interface AxisWindows {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

function axisWindows(outSize: number, inSize: number): AxisWindows {
  const start = Int32Array.from({ length: outSize }, (_, index) => adaptiveStart(index, outSize, inSize));
  const end = Int32Array.from({ length: outSize }, (_, index) => adaptiveEnd(index, outSize, inSize));
  return { start, end };
}

export function walkAdaptiveWindows(geometry: AdaptiveGeometry, reducer: AdaptiveReducer): void {
  const axes = [
    axisWindows(geometry.outDepth, geometry.inDepth),
    axisWindows(geometry.outHeight, geometry.inHeight),
    axisWindows(geometry.outWidth, geometry.inWidth),
  ] as const;
  const counts: WindowCounts = { inBounds: 0, inPadded: 0 };
  forEachOutputCell(geometry, (inBase, outputIndex, position, spatialStride) => {
    const bounds = position.map((cell, axis) => [axes[axis]!.start[cell]!, axes[axis]!.end[cell]!]) as WindowBounds;
    counts.inBounds = bounds.reduce((cells, [first, end]) => cells * (end - first), 1);
    counts.inPadded = counts.inBounds; // adaptive windows never reach into padding
    reducer.begin(outputIndex, counts.inBounds);
    visitWindow(geometry, bounds, inBase, spatialStride, reducer);
    reducer.finish(outputIndex, counts);
  });
}

/** [start, end) along depth, height and width. */
type WindowBounds = [[number, number], [number, number], [number, number]];

/** Visits the cells of one window, depth, then height, then width, row-major. */
function visitWindow(
  geometry: AdaptiveGeometry,
  [[firstSlice, endSlice], [firstRow, endRow], [firstColumn, endColumn]]: WindowBounds,
  inBase: number,
  spatialStride: number,
  reducer: AdaptiveReducer,
): void {
  const { inHeight, inWidth } = geometry;
  for (let slice = firstSlice; slice < endSlice; slice++) {
    for (let row = firstRow; row < endRow; row++) {
      for (let column = firstColumn; column < endColumn; column++) {
        const spatialIndex = (slice * inHeight + row) * inWidth + column;
        reducer.visit(inBase + spatialIndex * spatialStride, spatialIndex);
      }
    }
  }
}
