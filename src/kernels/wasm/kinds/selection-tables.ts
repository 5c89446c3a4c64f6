// The selection family's per-call tables (selection.ts): mixed pooling's alpha per channel, gated and
// ordinal pooling's weights per tap and channel, gated's room for its gates, and the backward's
// per-plane weight-gradient sums added into the layer's gradient in plane order.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { heap } from '../../../tensor/heap.js';
import { addPlaneSums } from '../../reference/extra/plane-sums.js';
import { KEPT_GATE_PLANES, keptLength } from '../../../pooling/kinds/forward-keep.js';

/** The per-channel table of mixed pooling: alpha per channel (the layer's one repeated). */
export function alphaTable(alpha: Float32Array, channels: number): Float32Array {
  return alpha.length === 1 ? new Float32Array(channels).fill(alpha[0]!) : alpha;
}

/**
 * Whether the windows tile the input (assembly/kinds/selection/blend-tiles*.ts, ordinal-tiles.ts): 2x2 at
 * stride 2 on height and width, one along depth, unpadded, undilated, every window whole, channelsLast
 * with whole quads of channels.
 */
export function tilingWindows(geometry: PoolGeometry): boolean {
  const { kernelDepth, kernelHeight, kernelWidth, strideDepth, strideHeight, strideWidth } = geometry;
  const { dilationDepth, dilationHeight, dilationWidth, padFront, padTop, padLeft } = geometry;
  return (
    geometry.channelsLast &&
    geometry.channels % 4 === 0 &&
    [kernelDepth, strideDepth, dilationDepth, dilationHeight, dilationWidth].every((size) => size === 1) &&
    [kernelHeight, kernelWidth, strideHeight, strideWidth].every((size) => size === 2) &&
    padFront + padTop + padLeft === 0 &&
    geometry.outDepth === geometry.inDepth &&
    2 * geometry.outHeight <= geometry.inHeight &&
    2 * geometry.outWidth <= geometry.inWidth
  );
}

/** blend-tiles.ts's table: per quad of channels, a for each of the four in float64, then 1 − a. */
export function mixedTileTable(alpha: Float32Array, channels: number): Float64Array {
  const table = new Float64Array(2 * channels);
  for (let channel = 0; channel < channels; channel++) {
    const mix = alpha[alpha.length === 1 ? 0 : channel]!;
    const at = 8 * (channel >> 2) + (channel & 3);
    table[at] = mix;
    table[at + 4] = 1 - mix;
  }
  return table;
}

/** blend-tiles-gated.ts's table: per quad of channels, each of the four taps' weights for the four in float64. */
export function gatedTileTable(weights: Float32Array, geometry: PoolGeometry): Float64Array {
  const taps = tapTable(weights, geometry);
  const { channels } = geometry;
  const table = new Float64Array(4 * channels);
  for (let tap = 0; tap < 4; tap++) {
    for (let channel = 0; channel < channels; channel++) {
      table[16 * (channel >> 2) + 4 * tap + (channel & 3)] = taps[tap * channels + channel]!;
    }
  }
  return table;
}

/**
 * ordinal-tiles.ts's table: per quad of channels and per rank, 64 bytes: the rank's weight for the
 * four as float32, the float32 −0 where that weight is not ±0 (else +0: the backward adds it to
 * g·w, so that an exact zero product gives the reference's +0 + g·w while an underflow keeps its
 * sign), then the weight as float64.
 */
export function ordinalTileTable(weights: Float32Array, geometry: PoolGeometry): Float64Array {
  const taps = tapTable(weights, geometry);
  const { channels } = geometry;
  const table = new Float64Array(8 * taps.length); // 64 bytes a weight
  const [singles, words] = [new Float32Array(table.buffer), new Uint32Array(table.buffer)];
  for (let rank = 0; rank < 4; rank++) {
    for (let channel = 0; channel < channels; channel++) {
      const weight = taps[rank * channels + channel]!;
      const block = 32 * (channel >> 2) + 8 * rank; // in float64s
      singles[2 * block + (channel & 3)] = weight;
      words[2 * block + 4 + (channel & 3)] = weight === 0 ? 0 : 0x80000000;
      table[block + 4 + (channel & 3)] = weight;
    }
  }
  return table;
}

/** The [taps, channels] table of gated and ordinal pooling from weights [taps] (the layer's) or [channels, taps]. */
export function tapTable(weights: Float32Array, geometry: PoolGeometry): Float32Array {
  const { channels } = geometry;
  const taps = kernelTaps(geometry);
  const table = new Float32Array(taps * channels);
  const shared = weights.length === taps;
  for (let tap = 0; tap < taps; tap++) {
    for (let channel = 0; channel < channels; channel++) {
      table[tap * channels + channel] = weights[shared ? tap : channel * taps + tap]!;
    }
  }
  return table;
}

/** Gated pooling's room for its gates (src/pooling/kinds/gated.ts), where `kept` is one of the right size. */
export function gateRoom(kept: Float32Array | undefined, geometry: PoolGeometry): Float32Array | null {
  return kept !== undefined && kept.length === keptLength(geometry, KEPT_GATE_PLANES, 0) ? kept : null;
}

/** The kernel's taps (kD·kH·kW): gated and ordinal pooling's weights per plane. */
export function kernelTaps(geometry: PoolGeometry): number {
  return geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
}

/**
 * Adds the per-plane f64 sums the backward kernels left at `address` (assembly/kinds/selection/plane-terms.ts:
 * [sample][weight][channel] in NHWC, plane-major in NCHW) into `gradWeights`, in plane order (plane-sums.ts).
 */
export function addUnitSums(
  address: number,
  gradWeights: Float32Array,
  geometry: PoolGeometry,
  perPlane: number,
): void {
  const { batch, channels } = geometry;
  const left = new Float64Array(heap.memory.buffer, address, batch * channels * perPlane);
  let sums = left;
  if (geometry.channelsLast && perPlane > 1) {
    sums = new Float64Array(left.length);
    for (let sample = 0; sample < batch; sample++) {
      const base = sample * channels * perPlane;
      for (let weight = 0; weight < perPlane; weight++) {
        for (let channel = 0; channel < channels; channel++) {
          sums[base + channel * perPlane + weight] = left[base + weight * channels + channel]!;
        }
      }
    }
  }
  addPlaneSums(sums, gradWeights, channels, perPlane);
}
