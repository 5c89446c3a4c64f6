// Writes a pooling's sizes and tensor pointers into the pool module's argument block, in the layout
// of assembly/pool/arguments.ts. Tensor views' byteOffset is their address in heap.memory.
import type { AdaptiveGeometry } from '../../geometry/adaptive-geometry.js';
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { heap } from '../../tensor/heap.js';
import type { ArgmaxPlanes, AverageDivisor } from '../types.js';
import { ARGUMENT_BLOCKS, argumentViews, type KernelModule } from './loader.js';

/** Word indices of assembly/pool/arguments.ts; sizes per axis take three words (depth, height, width). */
const FIELDS = {
  batch: 0,
  channels: 1,
  inSize: 2,
  outSize: 5,
  kernel: 8,
  stride: 11,
  dilation: 14,
  padBefore: 17,
  padAfter: 20,
  channelsLast: 23,
  adaptive: 24,
  input: 25,
  output: 26,
  argmax: 27,
  gradOutput: 28,
  gradInput: 29,
  countIncludePad: 30,
  hasDivisorOverride: 31,
  /** The average backward's scratch (assembly/pool/average-gather.ts): pointer, bytes per thread slot. */
  scratch: 36,
  scratchSlotBytes: 37,
  /** Pointer to the window tables (assembly/pool/tables.ts), then their offsets. */
  tables: 40,
} as const;

/** Window tables go right after the block's fields when they fit there, else into the heap. */
const TABLES_OFFSET = 256;

/** The f64 fields, as indices into a Float64Array over the block (bytes 128 and 136). */
const enum DoubleField {
  DivisorOverride = 16,
  P = 17,
}

/** The tensors a pooling kernel touches; null where the kernel has none. */
export interface PoolPointers {
  readonly input: Float32Array | null;
  readonly output: Float32Array | null;
  readonly argmax?: Int32Array | null;
  readonly gradOutput?: Float32Array | null;
  readonly gradInput?: Float32Array | null;
}

/**
 * Notes where `views` lie before an alloc that may grow the heap, which detaches every view of a
 * non-shared memory (length 0, offset 0: a kernel given one would read address 0). The returned
 * function gives views of the same bytes, valid after the alloc; null stays null.
 */
export function keepViews<Views extends readonly (Float32Array | Int32Array | null)[]>(...views: Views): () => Views {
  const places = views.map((view) => (view === null ? null : { address: addressOf(view), length: view.length }));
  return () =>
    views.map((view, index) => {
      const place = places[index]!;
      if (view === null || place === null || view.length === place.length) return view;
      const Type = view instanceof Int32Array ? Int32Array : Float32Array;
      return new Type(heap.memory.buffer, place.address, place.length);
    }) as unknown as Views;
}

/** An argument block's layout: each field's word index, as its assembly/ arguments file numbers them. */
export type WordLayout = Readonly<Record<string, number>>;

/** A field's value: a size, or a view written as its heap address (null: 0, no tensor). */
export type WordValue = number | Float32Array | Int32Array | null;

/**
 * The words `values` fill in `layout`, as [word, value] pairs with views turned into their addresses
 * now: placing tables or scratch may grow the heap, after which a view of the old buffer reads as
 * detached, so callers take the pairs first and write them into the block afterwards.
 */
export function wordsOf<Layout extends WordLayout>(
  layout: Layout,
  values: Partial<Record<keyof Layout, WordValue>>,
): (readonly [number, number])[] {
  return Object.entries(values).map(([field, value]: [string, WordValue | undefined]) => {
    const address = typeof value === 'number' ? value : addressOf(value);
    return [layout[field]!, address] as const;
  });
}

/** The address of a view in heap.memory; every tensor lives there, so a stray array is a bug. */
export function addressOf(view: Float32Array | Int32Array | null | undefined): number {
  if (view === null || view === undefined) return 0;
  // A shared heap hands out a new SharedArrayBuffer object when it grows; older views stay valid.
  // Pages without cross-origin isolation have no SharedArrayBuffer global, yet browsers still make
  // shared memories there: compare with the heap buffer's own type, never name the global.
  const inHeap = heap.shared
    ? view.buffer.constructor === heap.memory.buffer.constructor
    : view.buffer === heap.memory.buffer;
  if (!inHeap && view.length > 0) {
    throw new Error('poolkit: the wasm backend needs tensors in the shared heap (Tensor.values views)');
  }
  return view.byteOffset;
}

/**
 * Writes a pooling's fields and tabulates its windows; returns the function to call once the
 * kernel has run (it frees tables that did not fit in the argument block).
 */
export function writePoolGeometry(
  kernelModule: KernelModule,
  geometry: PoolGeometry,
  pointers: PoolPointers,
  divisor: AverageDivisor | null = null,
  p = 0,
): () => void {
  const words = writeCommon(kernelModule, geometry, pointers);
  const { kernelDepth, kernelHeight, kernelWidth, strideDepth, strideHeight, strideWidth } = geometry;
  const { dilationDepth, dilationHeight, dilationWidth, padFront, padTop, padLeft, padBack, padBottom } = geometry;
  words.set([kernelDepth, kernelHeight, kernelWidth], FIELDS.kernel); // depth, height, width: three words each
  words.set([strideDepth, strideHeight, strideWidth], FIELDS.stride);
  words.set([dilationDepth, dilationHeight, dilationWidth], FIELDS.dilation);
  words.set([padFront, padTop, padLeft], FIELDS.padBefore);
  words.set([padBack, padBottom, geometry.padRight], FIELDS.padAfter);
  words[FIELDS.adaptive] = 0;
  words[FIELDS.countIncludePad] = divisor?.countIncludePad ? 1 : 0;
  words[FIELDS.hasDivisorOverride] =
    divisor?.divisorOverride !== null && divisor?.divisorOverride !== undefined ? 1 : 0;
  const doubles = new Float64Array(words.buffer, words.byteOffset, 32);
  doubles[DoubleField.DivisorOverride] = divisor?.divisorOverride ?? 0;
  doubles[DoubleField.P] = p;
  return prepareTables(kernelModule, geometry, words);
}

export function writeAdaptiveGeometry(
  kernelModule: KernelModule,
  geometry: AdaptiveGeometry,
  pointers: PoolPointers,
): () => void {
  const words = writeCommon(kernelModule, geometry, pointers);
  words[FIELDS.adaptive] = 1;
  words[FIELDS.countIncludePad] = 0;
  words[FIELDS.hasDivisorOverride] = 0;
  return prepareTables(kernelModule, geometry, words);
}

/** Argmax planes reuse the block: large spatial and small spatial sizes sit where InSize does. */
export function writeArgmaxPlanes(
  kernelModule: KernelModule,
  planes: ArgmaxPlanes,
  small: Float32Array,
  argmax: Int32Array,
  large: Float32Array,
): number {
  const words = argumentViews(kernelModule).ints;
  words[FIELDS.batch] = planes.batch;
  words[FIELDS.channels] = planes.channels;
  words[FIELDS.inSize] = planes.largeSpatial;
  words[FIELDS.inSize + 1] = planes.smallSpatial;
  words[FIELDS.channelsLast] = planes.channelsLast ? 1 : 0;
  words[FIELDS.input] = addressOf(small);
  words[FIELDS.output] = addressOf(large);
  words[FIELDS.argmax] = addressOf(argmax);
  return kernelModule.argumentBlock;
}

/**
 * Has the module tabulate every window (Σ 4·out + 2·in integers per axis) before the rows run on
 * any thread; returns a function that frees the tables when they had to go into the heap.
 */
function prepareTables(kernelModule: KernelModule, geometry: AdaptiveGeometry, words: Int32Array): () => void {
  const sizes: [number, number][] = [
    [geometry.inDepth, geometry.outDepth],
    [geometry.inHeight, geometry.outHeight],
    [geometry.inWidth, geometry.outWidth],
  ];
  const bytes = 4 * sizes.reduce((total, [inSize, outSize]) => total + 4 * outSize + 2 * inSize, 0);
  const fits = TABLES_OFFSET + bytes <= ARGUMENT_BLOCKS.pool.bytes;
  const tables = fits ? kernelModule.argumentBlock + TABLES_OFFSET : heap.alloc(bytes);
  // heap.alloc may grow the memory, which detaches `words` when the memory is not shared.
  (words.byteLength === 0 ? argumentViews(kernelModule).ints : words)[FIELDS.tables] = tables;
  kernelModule.exports.prepareWindows!(kernelModule.argumentBlock, 0, 0);
  return fits ? doNothing : () => heap.free(tables, bytes);
}

const doNothing = (): void => {};

/** Quotient rows each slot caches, and its header bytes: CACHED_ROWS and SLOT_HEADER_BYTES there. */
const CACHED_ROWS = 8;
const SLOT_HEADER_BYTES = 8 * CACHED_ROWS + 4 * 96;

/**
 * Gives the average backward a scratch slot per thread that may run it (thread t uses slot t,
 * assembly/shared/thread-slot.ts): call after writing the geometry; returns the function that frees it.
 */
export function writeGatherScratch(
  kernelModule: KernelModule,
  geometry: AdaptiveGeometry,
  threads: number,
): () => void {
  const group = geometry.channelsLast ? geometry.channels : 1;
  const slotBytes = Math.ceil((SLOT_HEADER_BYTES + CACHED_ROWS * geometry.outWidth * group * 4) / 64) * 64;
  const bytes = slotBytes * threads;
  const scratch = heap.alloc(bytes);
  const words = argumentViews(kernelModule).ints; // after alloc, which may have grown the memory
  words[FIELDS.scratch] = scratch;
  words[FIELDS.scratchSlotBytes] = slotBytes;
  return () => heap.free(scratch, bytes);
}

function writeCommon(kernelModule: KernelModule, geometry: AdaptiveGeometry, pointers: PoolPointers): Int32Array {
  const words = argumentViews(kernelModule).ints;
  const { batch, channels, inDepth, inHeight, inWidth, outDepth, outHeight, outWidth } = geometry;
  words.set([batch, channels, inDepth, inHeight, inWidth, outDepth, outHeight, outWidth], FIELDS.batch);
  words[FIELDS.channelsLast] = geometry.channelsLast ? 1 : 0;
  // Every pointer word is written: one the call lacks reads 0, never the last call's tensor.
  const unused = { argmax: null, gradOutput: null, gradInput: null };
  for (const [word, address] of wordsOf(FIELDS, { ...unused, ...pointers })) words[word] = address;
  return words;
}
