// Covariance pooling's fast kernels (assembly/kinds/filters/covariance.ts): samples on the thread
// pool, each in its thread's scratch (the centred cells twice, the iterations' matrices, eight
// temporaries); samples the kernel flags (values f32 could overflow or underflow) are redone by the
// reference kernel, alone, as are calls whose scratch would pass 256 MiB. A forward given a room keeps
// each sample's matrices there (then marks it); a backward given a marked room starts from them.
import { heap } from '../../../../tensor/heap.js';
import { KEPT_MARK } from '../../../../pooling/kinds/forward-keep.js';
import {
  covariancePoolBackward,
  covariancePoolForward,
  type CovarianceGeometry,
} from '../../../reference/extra/covariance-pool.js';
import type { PoolingKernels } from '../../../types.js';
import type { KernelModule } from '../../loader.js';
import { wordsOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, placeTablesAndScratch } from './block.js';

/** Word indices of assembly/kinds/filters/covariance.ts: the sizes, then the tensors. */
const WORDS = {
  samples: 0,
  channels: 1,
  cells: 2,
  channelsLast: 3,
  iterations: 4,
  input: 5,
  output: 6,
  gradOutput: 7,
  gradInput: 8,
  kept: 9,
} as const;

const MAX_SCRATCH_BYTES = 256 * 1024 * 1024;

/** Bytes of one thread's scratch: two [n, C'] row sets and 3N + 11 C×C' matrices, C' = C rounded up to 4. */
function slotBytes(geometry: CovarianceGeometry): number {
  const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const stride = Math.ceil(geometry.channels / 4) * 4;
  return 4 * (2 * cells * stride + (3 * geometry.iterations + 11) * geometry.channels * stride);
}

/** One sample's slice of the tensors, as a one-sample call of the reference kernels takes them. */
function sampleSlices(geometry: CovarianceGeometry, sample: number) {
  const inputSize = geometry.channels * geometry.inDepth * geometry.inHeight * geometry.inWidth;
  const features = (geometry.channels * (geometry.channels + 1)) / 2;
  const slice = (view: Float32Array, size: number) => view.subarray(sample * size, (sample + 1) * size);
  return {
    input: (view: Float32Array) => slice(view, inputSize),
    output: (view: Float32Array) => slice(view, features),
    geometry: { ...geometry, batch: 1 },
  };
}

/** Runs `kernel` over the samples; returns the samples it flagged (for the reference), or null to run all there. */
function runSamples(
  kinds: KernelModule,
  kernel: string,
  geometry: CovarianceGeometry,
  pointers: Partial<Record<keyof typeof WORDS, Float32Array | 0>>,
): number[] | null {
  const threads = getThreadCount();
  if (slotBytes(geometry) * threads > MAX_SCRATCH_BYTES) return null;
  const addresses = wordsOf(WORDS, pointers);
  const { tables: flags, release } = placeTablesAndScratch(kinds, 4 * geometry.batch, slotBytes(geometry), threads);
  try {
    const { words } = blockViews(kinds);
    const cells = geometry.inDepth * geometry.inHeight * geometry.inWidth;
    words.set([geometry.batch, geometry.channels, cells, geometry.channelsLast ? 1 : 0, geometry.iterations]);
    for (const [word, address] of addresses) words[word] = address;
    const views = Object.values(pointers).filter((view): view is Float32Array => view !== 0);
    const bytes = views.reduce((total, view) => total + view.byteLength, 0);
    parallelFor(kinds, kernel, geometry.batch, bytes * geometry.channels);
    const flagged = new Int32Array(heap.memory.buffer, flags, geometry.batch);
    return [...flagged.keys()].filter((sample) => flagged[sample] !== 0);
  } finally {
    release();
  }
}

export function createCovarianceKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'covariancePoolForward' | 'covariancePoolBackward'> {
  return {
    covariancePoolForward(input, output, geometry, kept) {
      const flagged = runSamples(kinds, 'covarianceForwardSamples', geometry, { input, output, kept: kept ?? 0 });
      if (flagged === null) return covariancePoolForward(input, output, geometry);
      if (kept !== undefined) kept[kept.length - 1] = KEPT_MARK; // flagged samples are recomputed anyway
      for (const sample of flagged) {
        const slices = sampleSlices(geometry, sample);
        covariancePoolForward(slices.input(input), slices.output(output), slices.geometry);
      }
    },
    covariancePoolBackward(input, gradOutput, gradInput, geometry, kept) {
      const room: Float32Array | 0 = kept !== undefined && kept[kept.length - 1] === KEPT_MARK ? kept : 0;
      const pointers = { input, gradOutput, gradInput, kept: room };
      const flagged = runSamples(kinds, 'covarianceBackwardSamples', geometry, pointers);
      if (flagged === null) return covariancePoolBackward(input, gradOutput, gradInput, geometry);
      for (const sample of flagged) {
        const slices = sampleSlices(geometry, sample);
        const sampleGradOutput = slices.output(gradOutput);
        covariancePoolBackward(slices.input(input), sampleGradOutput, slices.input(gradInput), slices.geometry);
      }
    },
  };
}
