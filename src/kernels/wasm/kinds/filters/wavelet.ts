// Wavelet pooling's fast kernels (assembly/kinds/filters/wavelet.ts), bit for bit: samples (or
// channelsFirst planes, as samples of one channel) on the thread pool, three buffers of the input's
// cells per thread.
import type { PoolingSizes } from '../../../../geometry/layout.js';
import type { PoolingKernels } from '../../../types.js';
import type { KernelModule } from '../../loader.js';
import { wordsOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, filterSamples, placeTablesAndScratch, WORDS } from './block.js';

/** After the sizes (words 2-7): the direction (word 8), then the rank (word 9). */
function runWavelet(
  kinds: KernelModule,
  geometry: PoolingSizes,
  source: Float32Array,
  target: Float32Array,
  backward: boolean,
): void {
  const { samples, channels } = filterSamples(geometry);
  const inSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const outSizes = [geometry.outDepth, geometry.outHeight, geometry.outWidth];
  const bufferBytes = 8 * inSizes[0]! * inSizes[1]! * inSizes[2]! * (channels + (channels % 2));
  const addresses = wordsOf(WORDS, { source, target }); // before the scratch's alloc may detach the views
  const placed = placeTablesAndScratch(kinds, 0, 3 * bufferBytes, getThreadCount());
  try {
    const { words } = blockViews(kinds);
    words.set([samples, channels, ...inSizes, ...outSizes, backward ? 1 : 0, geometry.spatialDims], WORDS.samples);
    for (const [word, address] of addresses) words[word] = address;
    parallelFor(kinds, 'waveletSamples', samples, (source.byteLength + target.byteLength) * 4);
  } finally {
    placed.release();
  }
}

export function createWaveletKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'waveletPoolForward' | 'waveletPoolBackward'> {
  return {
    waveletPoolForward: (input, output, geometry) => runWavelet(kinds, geometry, input, output, false),
    waveletPoolBackward: (gradOutput, gradInput, geometry) => runWavelet(kinds, geometry, gradOutput, gradInput, true),
  };
}
