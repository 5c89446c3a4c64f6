// Attention pooling's fast kernels (assembly/kinds/filters/attention.ts): samples on the thread
// pool, then the kernels' gradients row by row from each sample's kept vectors (why NaN and ±Infinity
// need no other path: the header of assembly/kinds/filters/attention.ts).
import type { PoolingSizes } from '../../../../geometry/layout.js';
import type { PoolingKernels } from '../../../types.js';
import type { KernelModule } from '../../loader.js';
import { wordsOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, placeTablesAndScratch } from './block.js';

/** Word indices of assembly/kinds/filters/attention.ts: the sizes, then the tensors. */
const WORDS = {
  samples: 0,
  channels: 1,
  cells: 2,
  channelsLast: 3,
  input: 4,
  queryKernel: 5,
  keyKernel: 6,
  output: 7,
  gradOutput: 8,
  gradInput: 9,
  gradQueryKernel: 10,
  gradKeyKernel: 11,
} as const;

type Pointers = Partial<Record<keyof typeof WORDS, Float32Array>>;

/** Writes the sizes and pointers, places the per-sample results and the per-thread scratch; returns the release function. */
function writeAttention(kinds: KernelModule, geometry: PoolingSizes, pointers: Pointers) {
  const { batch, channels } = geometry;
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const addresses = wordsOf(WORDS, pointers);
  // Per sample: mean, query, Σ ∂logit·x and ∂q (C f64 each); per thread: 4 C-vectors and 2 n-vectors.
  const placed = placeTablesAndScratch(
    kinds,
    8 * 4 * channels * batch,
    8 * (4 * channels + 2 * cells),
    getThreadCount(),
  );
  const { words } = blockViews(kinds);
  words.set([batch, channels, cells, geometry.channelsLast ? 1 : 0], WORDS.samples);
  for (const [word, address] of addresses) words[word] = address;
  return placed.release;
}

export function createAttentionKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'attentionPoolForward' | 'attentionPoolBackward'> {
  return {
    attentionPoolForward(input, queryKernel, keyKernel, output, geometry) {
      const release = writeAttention(kinds, geometry, { input, queryKernel, keyKernel, output });
      try {
        parallelFor(kinds, 'attentionForwardSamples', geometry.batch, 2 * input.byteLength);
      } finally {
        release();
      }
    },
    attentionPoolBackward(input, queryKernel, keyKernel, gradOutput, gradInput, gradQuery, gradKey, geometry) {
      const gradients = { gradOutput, gradInput, gradQueryKernel: gradQuery, gradKeyKernel: gradKey };
      const release = writeAttention(kinds, geometry, { input, queryKernel, keyKernel, ...gradients });
      try {
        parallelFor(kinds, 'attentionBackwardSamples', geometry.batch, 4 * input.byteLength);
        parallelFor(kinds, 'attentionKernelGradientRows', geometry.channels, 16 * geometry.batch * gradKey.length);
      } finally {
        release();
      }
    },
  };
}
