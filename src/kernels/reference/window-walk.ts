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

/** Visits the window of one output cell, counting in-bounds and in-padding taps. */
function walkWindow(
  geometry: PoolGeometry,
  [outSlice, outRow, outColumn]: [number, number, number],
  inBase: number,
  spatialStride: number,
  reducer: WindowReducer,
  counts: WindowCounts,
): void {
  const { inDepth, inHeight, inWidth } = geometry;
  const firstSlice = outSlice * geometry.strideDepth - geometry.padFront;
  const firstRow = outRow * geometry.strideHeight - geometry.padTop;
  const firstColumn = outColumn * geometry.strideWidth - geometry.padLeft;
  counts.inBounds = 0;
  counts.inPadded = 0;
  for (let kernelSlice = 0; kernelSlice < geometry.kernelDepth; kernelSlice++) {
    const slice = firstSlice + kernelSlice * geometry.dilationDepth;
    for (let kernelRow = 0; kernelRow < geometry.kernelHeight; kernelRow++) {
      const row = firstRow + kernelRow * geometry.dilationHeight;
      for (let kernelColumn = 0; kernelColumn < geometry.kernelWidth; kernelColumn++) {
        const column = firstColumn + kernelColumn * geometry.dilationWidth;
        const padded =
          slice < inDepth + geometry.padBack &&
          row < inHeight + geometry.padBottom &&
          column < inWidth + geometry.padRight;
        if (padded) counts.inPadded++;
        if (slice < 0 || slice >= inDepth || row < 0 || row >= inHeight || column < 0 || column >= inWidth) continue;
        const spatialIndex = (slice * inHeight + row) * inWidth + column;
        counts.inBounds++;
        reducer.visit(inBase + spatialIndex * spatialStride, spatialIndex);
      }
    }
  }
}
