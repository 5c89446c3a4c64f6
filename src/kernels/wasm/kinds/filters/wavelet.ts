// Wavelet pooling's fast kernels, bit for bit: samples (or channelsFirst planes, as samples of one
// channel) on the thread pool; ranks 1 and 2 block by block in one pass (assembly/kinds/filters/
// wavelet-blocks.ts), rank 3 step by step in three buffers of the input's cells per thread (wavelet.ts).
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
  const blocks = geometry.spatialDims < 3;
  const placed = placeTablesAndScratch(kinds, 0, blocks ? 0 : 3 * bufferBytes, getThreadCount());
  try {
    const { words } = blockViews(kinds);
    words.set([samples, channels, ...inSizes, ...outSizes, backward ? 1 : 0, geometry.spatialDims], WORDS.samples);
    for (const [word, address] of addresses) words[word] = address;
    const work = (source.byteLength + target.byteLength) * (blocks ? 1 : 4);
    parallelFor(kinds, blocks ? 'waveletBlockSamples' : 'waveletSamples', samples, work);
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
