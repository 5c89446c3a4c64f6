// BlurPool's fast kernels (assembly/kinds/filters/blur.ts, blur-gather.ts): the geometry's per-axis
// filters, source tables and their inverses go into the block, channelsFirst planes are walked as
// samples of one channel; the forward runs over output rows, the backward (a gather) over input rows,
// the backward through a per-thread f64 copy of a sample's output gradient where it is small, on the
// thread pool. MaxBlurPool runs the pool module's dense max pooling, then these (src/pooling/kinds/max-blur.ts).
import type { BlurGeometry } from '../../../reference/extra/blur-pool.js';
import type { PoolingKernels } from '../../../types.js';
import { heap } from '../../../../tensor/heap.js';
import type { KernelModule } from '../../loader.js';
import { addressOf } from '../../pool-arguments.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, FILTERS_BYTES, filterSamples, placeTablesAndScratch, WORDS } from './block.js';

/** The backward's f64 copy of a sample's output gradient is used up to this many bytes a thread. */
const SAMPLE_CACHE_LIMIT = 1 << 20;
const cacheLimits = { sample: SAMPLE_CACHE_LIMIT };

/** Tests: sets the backward's cache limit to `bytes` (0: the kernel reads f32 values where they are), or restores the default. */
export function setBlurCacheLimit(bytes?: number): void {
  cacheLimits.sample = bytes ?? SAMPLE_CACHE_LIMIT;
}

/** Per input position, the (output position, tap) pairs that read it, sorted by output position, then tap. */
function inversePairs(sources: Int32Array, taps: number, size: number): [number, number][][] {
  const pairs: [number, number][][] = Array.from({ length: size }, () => []);
  for (let entry = 0; entry < sources.length; entry++) {
    const source = sources[entry]!;
    if (source >= 0) pairs[source]!.push([Math.floor(entry / taps), entry % taps]);
  }
  return pairs; // entries run in output order, then tap order: already sorted
}

/** An axis's inverse table as blur-gather.ts reads it: size + 1 starts, then the (output, tap) pairs. */
function inverseTable(pairs: [number, number][][]): number[] {
  const starts = [0];
  for (const list of pairs) starts.push(starts.at(-1)! + list.length);
  return [...starts, ...pairs.flat(2)];
}

/** The shift in output positions that makes `pairs` `pattern`'s (same length and taps), or null. */
function shiftTo(pattern: readonly [number, number][], pairs: readonly [number, number][]): number | null {
  if (pattern.length !== pairs.length) return null;
  const shift = pairs.length === 0 ? 0 : pairs[0]![0] - pattern[0]![0];
  const same = pairs.every(
    ([output, tap], index) => output === pattern[index]![0] + shift && tap === pattern[index]![1],
  );
  return same ? shift : null;
}

/**
 * An axis's pattern map (blur-gather.ts): per input position its pattern and its shift in output
 * positions, then per pattern the position listed for it (positions whose pairs are another's shifted share it).
 */
function patternMap(pairs: [number, number][][]): { words: number[]; patterns: number } {
  const listed: number[] = [];
  const patternOf: number[] = [];
  const shifts = pairs.map((list, position) => {
    for (const [pattern, first] of listed.entries()) {
      const shift = shiftTo(pairs[first]!, list);
      if (shift !== null) return ((patternOf[position] = pattern), shift);
    }
    patternOf[position] = listed.push(position) - 1;
    return 0;
  });
  return { words: [...patternOf, ...shifts, ...listed], patterns: listed.length };
}

/** Each thread's scratch for the forward: its tap list. */
function forwardScratch(geometry: BlurGeometry) {
  const listBytes = 16 * geometry.filters.reduce((product, filter) => product * filter.length, 1);
  return { listBytes, bytes: listBytes, cached: false };
}

/** Each thread's scratch for the backward: a list per pattern combination, their counts, then a sample's f64 gradient where it fits. */
function backwardScratch(
  geometry: BlurGeometry,
  channels: number,
  inverses: [number, number][][][],
  combinations: number,
) {
  const longest = inverses.map((pairs) => Math.max(1, ...pairs.map((list) => list.length)));
  const listBytes = 16 * longest[0]! * longest[1]! * longest[2]!;
  const before = combinations * listBytes + 16 * Math.ceil(combinations / 4);
  const cacheBytes = 8 * geometry.outDepth * geometry.outHeight * geometry.outWidth * channels;
  const cached = cacheBytes <= cacheLimits.sample;
  return { listBytes, bytes: before + (cached ? cacheBytes : 0), cached };
}

/**
 * Writes the geometry, its tables (the backward's inverse tables after the source tables), each
 * thread's scratch and the two tensors' addresses; returns the samples and the release function.
 */
function writeBlur(kinds: KernelModule, geometry: BlurGeometry, source: number, target: number, forward: boolean) {
  const taps = geometry.filters.map((filter) => filter.length);
  const inSizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  const { samples, channels } = filterSamples(geometry);
  const tableWords = geometry.sources.flatMap((table) => [...table]);
  const append = (words: number[]): number => tableWords.push(...words) - words.length;
  const inverses = forward
    ? []
    : geometry.sources.map((table, axis) => inversePairs(table, taps[axis]!, inSizes[axis]!));
  const inverseAt = inverses.map((pairs) => append(inverseTable(pairs)));
  const maps = inverses.map(patternMap);
  const mapAt = maps.map((map) => append(map.words));
  const combinations = maps.reduce((product, map) => product * map.patterns, 1);
  const scratch = forward ? forwardScratch(geometry) : backwardScratch(geometry, channels, inverses, combinations);
  const { tables, release } = placeTablesAndScratch(kinds, 4 * tableWords.length, scratch.bytes, getThreadCount());
  const { words, doubles } = blockViews(kinds);
  const sizes = [samples, channels, ...inSizes, geometry.outDepth, geometry.outHeight, geometry.outWidth];
  words.set([...sizes, ...taps, source, target], WORDS.samples);
  words[WORDS.sampleCache] = scratch.cached ? 1 : 0;
  words[WORDS.listBytes] = scratch.listBytes;
  inverseAt.forEach((at, axis) => (words[WORDS.inverse + axis] = tables + 4 * at));
  mapAt.forEach((at, axis) => (words[WORDS.maps + axis] = tables + 4 * at));
  words.set(
    maps.map((map) => map.patterns),
    WORDS.patterns,
  );
  geometry.filters.forEach((filter, axis) => doubles.set(filter, FILTERS_BYTES / 8 + 8 * axis));
  new Int32Array(heap.memory.buffer, tables, tableWords.length).set(tableWords);
  return { samples, release };
}

export function createBlurKernels(kinds: KernelModule): Pick<PoolingKernels, 'blurPoolForward' | 'blurPoolBackward'> {
  const bytes = (input: Float32Array, output: Float32Array): number => input.byteLength + output.byteLength;
  const blurPoolForward: PoolingKernels['blurPoolForward'] = (input, output, geometry) => {
    const { samples, release } = writeBlur(kinds, geometry, addressOf(input), addressOf(output), true);
    try {
      parallelFor(kinds, 'blurForwardRows', samples * geometry.outDepth * geometry.outHeight, bytes(input, output));
    } finally {
      release();
    }
  };
  return {
    blurPoolForward,
    blurPoolBackward(gradOutput, gradInput, geometry) {
      const { samples, release } = writeBlur(kinds, geometry, addressOf(gradOutput), addressOf(gradInput), false);
      try {
        parallelFor(
          kinds,
          'blurGatherRows',
          samples * geometry.inDepth * geometry.inHeight,
          bytes(gradOutput, gradInput),
        );
      } finally {
        release();
      }
    },
  };
}
