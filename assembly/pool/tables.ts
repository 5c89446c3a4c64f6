// Window tables: the arithmetic of window.ts done once per kernel call, on the main thread, before
// the work is split, so the row loops of every thread read four integers per window instead of
// dividing. Per axis: a window entry per output cell [firstTap, taps, paddedTaps, step] (firstTap is
// the input coordinate of the first in-bounds tap) and a holder entry per input cell [low, high]:
// the output cells whose windows may hold it (all of them do unless the axis is dilated).
import { candidatesAlong, first, highOut, lowOut, padded, step, tapEnd, tapStart, windowAlong } from './window';
import { IN_SIZE, OUT_SIZE, pointer, word } from './arguments';

/** Block words: the tables' pointer, then per axis the i32 index of its window and holder tables. */
export const TABLES = 40;
export const WINDOWS = 41;
export const HOLDERS = 44;

/** Fills the tables at the pointer in block word TABLES (sized by the caller: Σ 4·out + 2·in ints). */
export function prepareWindows(block: usize, _first: i32, _end: i32): void {
  const tables = pointer(block, TABLES);
  let at = 0;
  for (let axis = 0; axis < 3; axis++) {
    store<i32>(block + (<usize>(WINDOWS + axis) << 2), at);
    const outSize = word(block, OUT_SIZE + axis);
    for (let cell = 0; cell < outSize; cell++) {
      windowAlong(block, axis, cell);
      const entry = tables + (<usize>at << 2);
      store<i32>(entry, first + tapStart * step);
      store<i32>(entry, tapEnd - tapStart, 4);
      store<i32>(entry, padded, 8);
      store<i32>(entry, step, 12);
      at += 4;
    }
    store<i32>(block + (<usize>(HOLDERS + axis) << 2), at);
    const inSize = word(block, IN_SIZE + axis);
    for (let cell = 0; cell < inSize; cell++) {
      candidatesAlong(block, axis, cell);
      const entry = tables + (<usize>at << 2);
      store<i32>(entry, lowOut);
      store<i32>(entry, highOut, 4);
      at += 2;
    }
  }
}

/** Address of output cell `cell`'s window entry along `axis`. */
@inline
export function windowEntry(block: usize, axis: i32, cell: i32): usize {
  return pointer(block, TABLES) + (<usize>(word(block, WINDOWS + axis) + (cell << 2)) << 2);
}

/** Address of input cell `cell`'s holder entry along `axis`. */
@inline
export function holderEntry(block: usize, axis: i32, cell: i32): usize {
  return pointer(block, TABLES) + (<usize>(word(block, HOLDERS + axis) + (cell << 1)) << 2);
}

/** Whether a holder entry lists exactly one output cell, `cell`. */
@inline
export function heldOnlyBy(entry: usize, cell: i32): bool {
  return load<i32>(entry) == cell && load<i32>(entry, 4) == cell;
}
