// The filters family's argument block (layout in assembly/kinds/filters/arguments.ts): fields, then
// tables and per-thread scratch placed after them when they fit, else in the heap for the call.
import { heap } from '../../../../tensor/heap.js';
import { ARGUMENT_BLOCKS, argumentViews, type KernelModule } from '../../loader.js';

export const enum Word {
  Samples = 0,
  Channels = 1,
  InSize = 2,
  OutSize = 5,
  Taps = 8,
  Source = 11,
  Target = 12,
  Tables = 13,
  Scratch = 14,
  ScratchSlotBytes = 15,
}

/** Byte offset of the f64 filters (3 axes × 8 taps), and of the first byte free for tables. */
export const FILTERS_BYTES = 128;
const FREE_OFFSET = 512;

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

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
  words[Word.Tables] = start;
  words[Word.Scratch] = start + scratchOffset;
  words[Word.ScratchSlotBytes] = alignedSlot;
  return { tables: start, release: fits ? () => {} : () => heap.free(start, bytes) };
}
