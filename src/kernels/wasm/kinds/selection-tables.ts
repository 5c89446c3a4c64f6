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
