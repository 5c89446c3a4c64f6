// The filters family's argument block (layout in assembly/kinds/filters/arguments.ts): fields, then
// tables and per-thread scratch placed after them when they fit, else in the heap for the call.
import type { PoolingSizes } from '../../../../geometry/layout.js';
import { heap } from '../../../../tensor/heap.js';
import { ARGUMENT_BLOCKS, argumentViews, type KernelModule } from '../../loader.js';

/** Word indices of the block; sizes per axis take three words (depth, height, width). */
export const WORDS = {
  samples: 0,
  channels: 1,
  inSize: 2,
  outSize: 5,
  taps: 8,
  source: 11,
  target: 12,
  tables: 13,
  scratch: 14,
  scratchSlotBytes: 15,
  sampleCache: 16,
  inverse: 17,
  listBytes: 20,
  maps: 23,
  patterns: 26,
} as const;

/** Byte offset of the f64 filters (3 axes × 8 taps), and of the first byte free for tables. */
export const FILTERS_BYTES = 128;
const FREE_OFFSET = 512;

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

/** The samples and channels the kernels walk: channelsFirst planes are samples of one channel. */
export function filterSamples(geometry: PoolingSizes): { samples: number; channels: number } {
  return geometry.channelsLast
    ? { samples: geometry.batch, channels: geometry.channels }
    : { samples: geometry.batch * geometry.channels, channels: 1 };
}

/** Views of the block's words and f64 fields, fresh (after any heap growth). */
export function blockViews(kinds: KernelModule): { words: Int32Array; doubles: Float64Array } {
  const words = argumentViews(kinds).ints;
  return { words, doubles: new Float64Array(words.buffer, words.byteOffset, FILTERS_BYTES / 8 + 24) };
}

/**
 * Places `tableBytes` of tables and `slots` scratch slots of `slotBytes` (64-byte aligned) in the
 * block when they fit, else in one heap allocation; writes Tables, Scratch and ScratchSlotBytes and
 * returns where the tables start and the function that frees the heap part.
 */
export function placeTablesAndScratch(
  kinds: KernelModule,
  tableBytes: number,
  slotBytes: number,
  slots: number,
): { tables: number; release: () => void } {
  const alignedSlot = roundUp(slotBytes, 64);
  const scratchOffset = roundUp(tableBytes, 64);
  const bytes = scratchOffset + alignedSlot * slots;
  const fits = FREE_OFFSET + bytes <= ARGUMENT_BLOCKS.kinds.bytes;
  const start = fits ? kinds.argumentBlock + FREE_OFFSET : heap.alloc(bytes);
  const { words } = blockViews(kinds); // after alloc, which may have grown the memory
  words[WORDS.tables] = start;
  words[WORDS.scratch] = start + scratchOffset;
  words[WORDS.scratchSlotBytes] = alignedSlot;
  return { tables: start, release: fits ? () => {} : () => heap.free(start, bytes) };
}
