// BlurPool's fast kernels (assembly/kinds/filters/blur.ts): the geometry's per-axis filters and
// source tables go into the block, channelsFirst planes are walked as samples of one channel, the
// forward runs over output rows and the backward (a scatter) over samples, on the thread pool.
import type { BlurGeometry } from '../../../reference/extra/blur-pool.js';
import type { PoolingKernels } from '../../../types.js';
import { heap } from '../../../../tensor/heap.js';
import type { KernelModule } from '../../loader.js';
import { addressOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, FILTERS_BYTES, filterSamples, placeTablesAndScratch, WORDS } from './block.js';

/** Writes the geometry and the two tensors' addresses; returns the samples and the release function. */
function writeBlur(kinds: KernelModule, geometry: BlurGeometry, source: number, target: number) {
  const taps = geometry.filters.map((filter) => filter.length);
  const tableEntries = geometry.sources.reduce((total, table) => total + table.length, 0);
  const { tables, release } = placeTablesAndScratch(
    kinds,
    4 * tableEntries,
    16 * taps[0]! * taps[1]! * taps[2]!,
    getThreadCount(),
  );
  const { words, doubles } = blockViews(kinds);
  const { samples, channels } = filterSamples(geometry);
  const sizes = [samples, channels, geometry.inDepth, geometry.inHeight, geometry.inWidth];
  sizes.push(geometry.outDepth, geometry.outHeight, geometry.outWidth, ...taps, source, target);
  words.set(sizes, WORDS.samples);
  geometry.filters.forEach((filter, axis) => doubles.set(filter, FILTERS_BYTES / 8 + 8 * axis));
  const tableWords = new Int32Array(heap.memory.buffer, tables, tableEntries);
  let offset = 0;
  for (const table of geometry.sources) {
    tableWords.set(table, offset);
    offset += table.length;
  }
  return { samples, release };
}

export function createBlurKernels(kinds: KernelModule): Pick<PoolingKernels, 'blurPoolForward' | 'blurPoolBackward'> {
  const bytes = (input: Float32Array, output: Float32Array): number => input.byteLength + output.byteLength;
  return {
    blurPoolForward(input, output, geometry) {
      const { samples, release } = writeBlur(kinds, geometry, addressOf(input), addressOf(output));
      try {
        parallelFor(kinds, 'blurForwardRows', samples * geometry.outDepth * geometry.outHeight, bytes(input, output));
      } finally {
        release();
      }
    },
    blurPoolBackward(gradOutput, gradInput, geometry) {
      const { samples, release } = writeBlur(kinds, geometry, addressOf(gradOutput), addressOf(gradInput));
      try {
        parallelFor(kinds, 'blurBackwardSamples', samples, bytes(gradOutput, gradInput));
      } finally {
        release();
      }
    },
  };
}
