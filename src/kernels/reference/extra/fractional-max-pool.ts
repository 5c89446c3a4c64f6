// Fractional max pooling (Graham 2014), reference kernel: the max over a region per output cell,
// where each plane has its own region sequence per axis (fractional-geometry.ts builds them).
// Max semantics as PyTorch's FractionalMaxPool: NaN propagates, first of ties, flat spatial argmax.
import { stridesOf, type PoolingSizes } from '../../../geometry/layout.js';

/**
 * Sizes and regions of one fractional max pooling. Region arrays are [plane][out index] flattened
 * (plane = sample·channels + channel): output cell i of an axis pools input cells start[i] .. end[i]-1.
 */
export interface FractionalGeometry extends PoolingSizes {
  readonly spatialDims: 2 | 3;
  readonly depthStarts: Int32Array;
  readonly depthEnds: Int32Array;
  readonly heightStarts: Int32Array;
  readonly heightEnds: Int32Array;
  readonly widthStarts: Int32Array;
  readonly widthEnds: Int32Array;
}

/** Max of every region; `argmax` gets the flat spatial index of the chosen cell in its plane. */
export function fractionalMaxPoolForward(
  input: Float32Array,
  output: Float32Array,
  argmax: Int32Array,
  geometry: FractionalGeometry,
): void {
  const { batch, channels, channelsLast, inDepth, inHeight, inWidth, outDepth, outHeight, outWidth } = geometry;
  const inStrides = stridesOf(channelsLast, channels, inDepth * inHeight * inWidth);
  const outStrides = stridesOf(channelsLast, channels, outDepth * outHeight * outWidth);
  for (let plane = 0; plane < batch * channels; plane++) {
    const inBase = Math.floor(plane / channels) * inStrides.batch + (plane % channels) * inStrides.channel;
    const outBase = Math.floor(plane / channels) * outStrides.batch + (plane % channels) * outStrides.channel;
    for (let outCell = 0; outCell < outDepth * outHeight * outWidth; outCell++) {
      const depthSlot = plane * outDepth + Math.floor(outCell / (outHeight * outWidth));
      const heightSlot = plane * outHeight + (Math.floor(outCell / outWidth) % outHeight);
      const widthSlot = plane * outWidth + (outCell % outWidth);
      let best = -Infinity;
      let bestIndex = -1;
      for (let slice = geometry.depthStarts[depthSlot]!; slice < geometry.depthEnds[depthSlot]!; slice++) {
        for (let row = geometry.heightStarts[heightSlot]!; row < geometry.heightEnds[heightSlot]!; row++) {
          for (let column = geometry.widthStarts[widthSlot]!; column < geometry.widthEnds[widthSlot]!; column++) {
            const spatialIndex = (slice * inHeight + row) * inWidth + column;
            const value = input[inBase + spatialIndex * inStrides.spatial]!;
            if (bestIndex < 0) bestIndex = spatialIndex;
            if (value > best || Number.isNaN(value)) {
              best = value;
              bestIndex = spatialIndex;
            }
          }
        }
      }
      output[outBase + outCell * outStrides.spatial] = best;
      argmax[outBase + outCell * outStrides.spatial] = bestIndex;
    }
  }
}
