// BlurPool's fast kernels (assembly/kinds/filters/blur.ts, blur-gather.ts): the geometry's per-axis
// filters, source tables and their inverses go into the block, channelsFirst planes are walked as
// samples of one channel; the forward runs over output rows, the backward (a gather) over input rows,
// each through a per-thread f64 row cache where it is small, on the thread pool.
import type { BlurGeometry } from '../../../reference/extra/blur-pool.js';
import type { PoolingKernels } from '../../../types.js';
import { heap } from '../../../../tensor/heap.js';
import type { KernelModule } from '../../loader.js';
import { addressOf } from '../../pool-arguments.js';
import { kernel } from '../../../backend.js';
import { getThreadCount, parallelFor } from '../../threads.js';
import { blockViews, FILTERS_BYTES, filterSamples, placeTablesAndScratch, WORDS } from './block.js';

/** Bytes of a thread's row-cache tags (assembly/kinds/filters/blur-cells.ts's TAG_BYTES: 64 slots). */
const TAG_BYTES = 256;
/**
 * The forward's f64 row cache (and MaxBlurPool's fused forward, which fills it) is used up to this many
 * bytes a thread: 0, off. Measured on the quiet machine at the end of the fifth round, the cache made
 * the forward slower, not faster (`npm run bench:kinds`, 2 threads, blur forward ms with / without:
 * 12.6 / 6.3 at [32,112,112,64], 1.43 / 0.75 at [128,26,26,32]; one thread, layer-cpu.ts: 2.1–2.3 /
 * 1.3–1.4; MaxBlurPool 19.4 / 17.5 and 2.01 / 1.79): the f32 reads stay. Tests turn it on to keep
 * the cached paths exact; docs/kind-speed.md ("Lead, fifth round") says what is left to decide.
 */
const ROW_CACHE_LIMIT = 0;
/** The backward's f64 copy of a sample's output gradient is used up to this many bytes a thread. */
const SAMPLE_CACHE_LIMIT = 1 << 20;
const cacheLimits = { rows: ROW_CACHE_LIMIT, sample: SAMPLE_CACHE_LIMIT };
/** Block word of MaxBlurPool's raw input sizes, then its window's, then the argmax tensor's address (max-blur.ts). */
const RAW_SIZE = 80;

/** Tests: sets both caches' limit to `bytes` (0: the kernels read f32 values where they are), or restores the defaults. */
export function setBlurCacheLimit(bytes?: number): void {
  cacheLimits.rows = bytes ?? ROW_CACHE_LIMIT;
  cacheLimits.sample = bytes ?? SAMPLE_CACHE_LIMIT;
}

/** Per unit along an axis, the positions it reads (forward) or receives from (backward). */
type Groups = readonly (readonly number[])[];

/** The source table's groups: per output position, the input positions its taps read. */
function sourceGroups(sources: Int32Array, taps: number): Groups {
  const groups: number[][] = [];
  for (let start = 0; start < sources.length; start += taps)
    groups.push([...sources.subarray(start, start + taps)].filter((source) => source >= 0));
  return groups;
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

/** Whether each group's distinct positions fall in distinct slots modulo `modulus`. */
function distinctModulo(groups: Groups, modulus: number): boolean {
  for (const group of groups) {
    const slots = new Map<number, number>();
    for (const position of group) {
      if ((slots.get(position % modulus) ?? position) !== position) return false;
      slots.set(position % modulus, position);
    }
  }
  return true;
}

/** The smallest modulus under which each group's distinct positions fall in distinct slots (a row cache's slots). */
function slotModulus(groups: Groups): number {
  let modulus = 1;
  while (!distinctModulo(groups, modulus)) modulus++; // ends: past the largest position every slot is its own
  return modulus;
}

interface Scratch {
  /** Bytes of each thread's scratch. */
  readonly bytes: number;
  /** The row cache's slot moduli along depth and height, or null: no cache. */
  readonly moduli: readonly [number, number] | null;
}

/** A row cache of rows of `rowBytes` over these groups (depth's, height's) after `before` bytes, where it fits. */
function withRowCache(before: number, depth: Groups, height: Groups, rowBytes: number): Scratch {
  const moduli = [slotModulus(depth), slotModulus(height)] as const;
  const cacheBytes = moduli[0] * moduli[1] * rowBytes;
  const fits = moduli[0] * moduli[1] <= TAG_BYTES / 4 && cacheBytes <= cacheLimits.rows;
  return fits ? { bytes: before + TAG_BYTES + cacheBytes, moduli } : { bytes: before, moduli: null };
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

/** Each thread's scratch for the forward: its tap list, then the input-row cache where it fits. */
function forwardScratch(geometry: BlurGeometry, channels: number): Scratch & { listBytes: number } {
  const taps = geometry.filters.map((filter) => filter.length);
  const listBytes = 16 * taps[0]! * taps[1]! * taps[2]!;
  const [depth, height] = [0, 1].map((axis) => sourceGroups(geometry.sources[axis]!, taps[axis]!));
  return { listBytes, ...withRowCache(listBytes, depth!, height!, 8 * geometry.inWidth * channels) };
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
  const scratch = forward
    ? forwardScratch(geometry, channels)
    : backwardScratch(geometry, channels, inverses, combinations);
  const { tables, release } = placeTablesAndScratch(kinds, 4 * tableWords.length, scratch.bytes, getThreadCount());
  const { words, doubles } = blockViews(kinds);
  const sizes = [samples, channels, ...inSizes, geometry.outDepth, geometry.outHeight, geometry.outWidth];
  words.set([...sizes, ...taps, source, target], WORDS.samples);
  const moduli = 'moduli' in scratch ? scratch.moduli : null;
  words[WORDS.rowCache] = moduli !== null || ('cached' in scratch && scratch.cached) ? 1 : 0;
  words.set(moduli ?? [1, 1], WORDS.slotModuli);
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

/** Whether every dense max position along depth and height is read by the blur (so the fused forward writes every argmax). */
function readsEveryRow(geometry: BlurGeometry): boolean {
  const sizes = [geometry.inDepth, geometry.inHeight];
  return [0, 1].every((axis) => new Set(geometry.sources[axis]!.filter((source) => source >= 0)).size === sizes[axis]);
}

/**
 * MaxBlurPool's forward: fused (assembly/kinds/filters/max-blur.ts) where the blur's row cache is on and
 * reads every dense row, else the dense max pooling (the active backend's) into maxima, then the blur.
 */
function maxBlurForward(
  kinds: KernelModule,
  blurForward: PoolingKernels['blurPoolForward'],
  ...[input, output, argmax, { dense, blur }]: Parameters<PoolingKernels['maxBlurPoolForward']>
): void {
  const { samples, channels } = filterSamples(blur);
  if (forwardScratch(blur, channels).moduli === null || !readsEveryRow(blur)) {
    const bytes = 4 * argmax.length;
    const address = heap.alloc(bytes);
    try {
      const maxima = new Float32Array(heap.memory.buffer, address, argmax.length);
      kernel('maxPoolForward')(input, maxima, argmax, dense);
      blurForward(maxima, output, blur);
    } finally {
      heap.free(address, bytes);
    }
    return;
  }
  const { release } = writeBlur(kinds, blur, addressOf(input), addressOf(output), true);
  try {
    const { words } = blockViews(kinds);
    words.set([dense.inDepth, dense.inHeight, dense.inWidth], RAW_SIZE);
    words.set([dense.kernelDepth, dense.kernelHeight, dense.kernelWidth], RAW_SIZE + 3);
    words[RAW_SIZE + 6] = addressOf(argmax);
    parallelFor(
      kinds,
      'maxBlurForwardRows',
      samples * blur.outDepth * blur.outHeight,
      input.byteLength + output.byteLength,
    );
  } finally {
    release();
  }
}

export function createBlurKernels(
  kinds: KernelModule,
): Pick<PoolingKernels, 'blurPoolForward' | 'blurPoolBackward' | 'maxBlurPoolForward'> {
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
    maxBlurPoolForward: (input, output, argmax, geometry) =>
      maxBlurForward(kinds, blurPoolForward, input, output, argmax, geometry),
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
