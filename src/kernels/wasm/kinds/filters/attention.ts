// Attention pooling's fast kernels (assembly/kinds/filters/attention.ts): samples on the thread
// pool, then the kernels' gradients row by row from each sample's kept vectors (why NaN and ±Infinity
// need no other path: the header of assembly/kinds/filters/attention.ts).
import type { PoolingSizes } from '../../../../geometry/layout.js';
import type { PoolingKernels } from '../../../types.js';
import type { KernelModule } from '../../loader.js';
import { addressOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, placeTablesAndScratch } from './block.js';

const enum Field {
  Samples = 0,
  Channels = 1,
  Cells = 2,
  ChannelsLast = 3,
  Input = 4,
  QueryKernel = 5,
  KeyKernel = 6,
  Output = 7,
  GradOutput = 8,
  GradInput = 9,
  GradQueryKernel = 10,
  GradKeyKernel = 11,
}

type Pointers = Partial<Record<Field, Float32Array>>;

/** Writes the sizes and pointers, places the per-sample results and the per-thread scratch; returns the release function. */
function writeAttention(kinds: KernelModule, geometry: PoolingSizes, pointers: Pointers) {
  const { batch, channels } = geometry;
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const addresses = Object.entries(pointers).map(([field, view]) => [Number(field), addressOf(view)] as const);
  // Per sample: mean, query, Σ ∂logit·x and ∂q (C f64 each); per thread: 4 C-vectors and 2 n-vectors.
  const placed = placeTablesAndScratch(
    kinds,
    8 * 4 * channels * batch,
    8 * (4 * channels + 2 * cells),
    getThreadCount(),
  );
  const { words } = blockViews(kinds);
  words.set([batch, channels, cells, geometry.channelsLast ? 1 : 0], Field.Samples);
  for (const [field, address] of addresses) words[field] = address;
  return placed.release;
}

export function createAttentionKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'attentionPoolForward' | 'attentionPoolBackward'> {
  return {
    attentionPoolForward(input, queryKernel, keyKernel, output, geometry) {
      const pointers = { [Field.Input]: input, [Field.QueryKernel]: queryKernel, [Field.KeyKernel]: keyKernel };
      const release = writeAttention(kinds, geometry, { ...pointers, [Field.Output]: output });
      try {
        parallelFor(kinds, 'attentionForwardSamples', geometry.batch, 2 * input.byteLength);
      } finally {
        release();
      }
    },
    attentionPoolBackward(input, queryKernel, keyKernel, gradOutput, gradInput, gradQuery, gradKey, geometry) {
      const release = writeAttention(kinds, geometry, {
        [Field.Input]: input,
        [Field.QueryKernel]: queryKernel,
        [Field.KeyKernel]: keyKernel,
        [Field.GradOutput]: gradOutput,
        [Field.GradInput]: gradInput,
        [Field.GradQueryKernel]: gradQuery,
        [Field.GradKeyKernel]: gradKey,
      });
      try {
        parallelFor(kinds, 'attentionBackwardSamples', geometry.batch, 4 * input.byteLength);
        parallelFor(kinds, 'attentionKernelGradientRows', geometry.channels, 16 * geometry.batch * gradKey.length);
      } finally {
        release();
      }
    },
  };
}
