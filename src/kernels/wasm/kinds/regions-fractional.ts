// Fractional max pooling's forward in the kinds module (assembly/kinds/regions/fractional-max.ts).
// The per-plane regions are drawn on the TypeScript side (the same numbers on every backend) and
// copied into the heap for the kernel; the backward is the pool module's argmaxScatterAdd.
import type { FractionalGeometry } from '../../reference/extra/fractional-max-pool.js';
import type { PoolingKernels } from '../../types.js';
import type { KernelModule } from '../loader.js';
import { addressOf } from '../pool-arguments.js';
import { runOverRowsOrPlanes } from './regions-tables.js';

/**
 * A region table [plane · out + index] (plane = sample · channels + channel) laid out
 * [sample, index, channel] instead, so that four neighbouring channels' bounds are one vector.
 */
function channelsInnermost(table: Int32Array, batch: number, channels: number): Int32Array {
  const out = table.length / (batch * channels);
  const result = new Int32Array(table.length);
  let from = 0;
  for (let sample = 0; sample < batch; sample++) {
    const sampleBase = sample * out * channels;
    for (let channel = 0; channel < channels; channel++, from += out)
      for (let index = 0; index < out; index++) result[sampleBase + index * channels + channel] = table[from + index]!;
  }
  return result;
}

export function createFractionalKernels(kinds: KernelModule): Pick<PoolingKernels, 'fractionalMaxPoolForward'> {
  return {
    fractionalMaxPoolForward(input, output, argmax, geometry: FractionalGeometry) {
      const pointers = [addressOf(input), addressOf(output), addressOf(argmax)];
      const tables = [
        geometry.depthStarts,
        geometry.heightStarts,
        geometry.widthStarts,
        geometry.depthEnds,
        geometry.heightEnds,
        geometry.widthEnds,
      ];
      const moved =
        4 * (geometry.batch * geometry.channels) * (geometry.inDepth * geometry.inHeight * geometry.inWidth);
      const layout = geometry.channelsLast
        ? tables.map((table) => channelsInnermost(table, geometry.batch, geometry.channels))
        : tables;
      const exports = { rows: 'fractionalMaxRows', planes: 'fractionalMaxPlanes' };
      runOverRowsOrPlanes(kinds, exports, geometry, pointers, layout, moved);
    },
  };
}
