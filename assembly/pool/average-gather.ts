// The gather form of the average backward, for input rows that overlapping (or dilated, or
// several rows of) windows hold. Each call of averageBackwardRows uses its thread's scratch slot
// (thread-slot.ts), where it caches rows of quotients
// gradOutput / divisor: each is divided once per call instead of once per input row it reaches.
// Each cell then sums, from +0 in output order, the quotients of the windows holding it and is
// stored once: no zeroing pass and no read-modify-write of gradInput.
import {
  ADAPTIVE, DILATION, GRAD_OUTPUT, IN_SIZE, OUT_SIZE, SCRATCH, SCRATCH_SLOT_BYTES, pointer, word,
} from './arguments';
import { currentThreadSlot } from '../shared/thread-slot';
import { cellBytes, group, outPlane, windowDivisor } from './average-backward';
import { outer, row, slice } from './rows';
import { divideLanes, exactReciprocal } from './simd';
import { heldOnlyBy, holderEntry, windowEntry } from './tables';
import { holds } from './window';

/** Quotient rows cached per slot; a row of windows needs as many as output rows hold it. */
export const CACHED_ROWS = 8;
/** Windows one cell may gather through its list; a cell held by more is gathered slowly. */
const LIST_CAPACITY = 96;
/** Slot layout: tags (CACHED_ROWS i32), this row's quotient rows (CACHED_ROWS pointers), the list. */
const ROWS_AT: usize = CACHED_ROWS << 2;
const LIST_AT: usize = CACHED_ROWS << 3;
export const SLOT_HEADER_BYTES = (CACHED_ROWS << 3) + (LIST_CAPACITY << 2);

let slot: usize = 0; // this call's scratch slot
let victim: i32 = 0; // the cache entry to replace next

/** Takes a scratch slot for this call and empties its cache. */
export function beginGather(block: usize): void {
  slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
  for (let entry = 0; entry < CACHED_ROWS; entry++) store<i32>(slot + (<usize>entry << 2), -1);
  victim = 0;
}

/** Gathers every cell of one input row; the row's (outer, slice, row) are set (rows.ts). */
export function gatherRow(block: usize, rowPointer: usize, dilated: bool): void {
  const zHolders = holderEntry(block, 0, slice);
  const yHolders = holderEntry(block, 1, row);
  let rows = 0;
  let used = 0; // cache entries this row reads, which must not be replaced while it runs
  for (let outSlice = load<i32>(zHolders); outSlice <= load<i32>(zHolders, 4); outSlice++) {
    if (dilated && !holds(block, 0, outSlice, slice)) continue;
    for (let outRow = load<i32>(yHolders); outRow <= load<i32>(yHolders, 4); outRow++) {
      if (dilated && !holds(block, 1, outRow, row)) continue;
      if (rows == CACHED_ROWS) {
        // More rows of windows hold this row than the cache has entries: no list, no cache.
        const inWidth = word(block, IN_SIZE + 2);
        for (let x = 0; x < inWidth; x++) gatherCellSlowly(block, rowPointer + <usize>x * cellBytes, x, dilated);
        return;
      }
      const entry = quotientRow(block, outSlice, outRow, used);
      used |= 1 << entry;
      store<usize>(slot + ROWS_AT + (<usize>rows << 2), rowAddress(block, entry));
      rows++;
    }
  }
  gatherCells(block, rowPointer, rows, dilated);
}

@inline
function rowAddress(block: usize, entry: i32): usize {
  const rowBytes = <usize>word(block, OUT_SIZE + 2) * cellBytes;
  return slot + <usize>SLOT_HEADER_BYTES + <usize>entry * rowBytes;
}

/** The cache entry holding output row (outSlice, outRow)'s quotients, filling one if needed. */
function quotientRow(block: usize, outSlice: i32, outRow: i32, used: i32): i32 {
  const tag = (outer * word(block, OUT_SIZE) + outSlice) * word(block, OUT_SIZE + 1) + outRow;
  for (let entry = 0; entry < CACHED_ROWS; entry++) {
    if (load<i32>(slot + (<usize>entry << 2)) == tag) return entry;
  }
  while ((used >> victim) & 1) victim = (victim + 1) % CACHED_ROWS;
  const entry = victim;
  victim = (victim + 1) % CACHED_ROWS;
  store<i32>(slot + (<usize>entry << 2), tag);
  const outWidth = word(block, OUT_SIZE + 2);
  const rowCell = (outSlice * word(block, OUT_SIZE + 1) + outRow) * outWidth;
  const gradOutput = pointer(block, GRAD_OUTPUT) + outPlane + <usize>rowCell * cellBytes;
  const quotients = rowAddress(block, entry);
  const depth = windowEntry(block, 0, outSlice);
  const height = windowEntry(block, 1, outRow);
  for (let outColumn = 0; outColumn < outWidth; outColumn++) {
    const offset = <usize>outColumn * cellBytes;
    divideCell(gradOutput + offset, quotients + offset, windowDivisor(depth, height, windowEntry(block, 2, outColumn)));
  }
  return entry;
}

/** quotients = gradOutput / divisor, rounded to float32 (the reference's share), one window. */
function divideCell(gradOutput: usize, quotients: usize, divisor: f32): void {
  const multiply = exactReciprocal(divisor);
  const divisors = f32x4.splat(divisor);
  const reciprocals = f32x4.splat(<f32>1 / divisor);
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    v128.store(quotients + channel, divideLanes(v128.load(gradOutput + channel), divisors, reciprocals, multiply));
  }
  for (; channel < cellBytes; channel += 4) store<f32>(quotients + channel, load<f32>(gradOutput + channel) / divisor);
}

/** Each cell: list the quotient cells of the windows holding it in output order, then sum them. */
function gatherCells(block: usize, rowPointer: usize, rows: i32, dilated: bool): void {
  const inWidth = word(block, IN_SIZE + 2);
  const checkWidth = !word(block, ADAPTIVE) && word(block, DILATION + 2) > 1;
  const list = slot + LIST_AT;
  for (let x = 0; x < inWidth; x++) {
    const holders = holderEntry(block, 2, x);
    const low = load<i32>(holders);
    const high = load<i32>(holders, 4);
    const cell = rowPointer + <usize>x * cellBytes;
    const pairable = !checkWidth && rows >= 1 && rows <= 2 && high == low + 1 && x + 1 < inWidth;
    if (pairable && heldOnlyBy(holderEntry(block, 2, x + 1), high)) {
      // Windows low and high hold this cell, high alone the next (3 wide at stride 2): both at once.
      const top = load<usize>(slot + ROWS_AT) + <usize>low * cellBytes;
      const bottom = rows == 2 ? load<usize>(slot + ROWS_AT, 4) + <usize>low * cellBytes : 0;
      sumPair(cell, top, bottom);
      x++;
      continue;
    }
    if (rows * (high - low + 1) > LIST_CAPACITY) {
      gatherCellSlowly(block, cell, x, dilated);
      continue;
    }
    let count = 0;
    for (let index = 0; index < rows; index++) {
      const quotients = load<usize>(slot + ROWS_AT + (<usize>index << 2));
      for (let outColumn = low; outColumn <= high; outColumn++) {
        if (checkWidth && !holds(block, 2, outColumn, x)) continue;
        store<usize>(list + (<usize>count << 2), quotients + <usize>outColumn * cellBytes);
        count++;
      }
    }
    sumCell(cell, list, count);
  }
}

/** cell = +0 + Σ of the listed quotient cells in list order, channel by channel. */
function sumCell(cell: usize, list: usize, count: i32): void {
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  if (count == 2 || count == 4) channel = sumPairs(cell, list, count == 4, vectorBytes);
  const end = list + (<usize>count << 2);
  for (; channel < vectorBytes; channel += 16) {
    let sum = f32x4.splat(0);
    for (let entry = list; entry < end; entry += 4) sum = f32x4.add(sum, v128.load(load<usize>(entry) + channel));
    v128.store(cell + channel, sum);
  }
  for (; channel < cellBytes; channel += 4) {
    let sum: f32 = 0;
    for (let entry = list; entry < end; entry += 4) sum += load<f32>(load<usize>(entry) + channel);
    store<f32>(cell + channel, sum);
  }
}

/** sumCell's vector part for 2 or 4 listed cells (the common counts), unrolled; returns bytes done. */
@inline
function sumPairs(cell: usize, list: usize, four: bool, vectorBytes: usize): usize {
  const a = load<usize>(list);
  const b = load<usize>(list, 4);
  const c = four ? load<usize>(list, 8) : 0;
  const d = four ? load<usize>(list, 12) : 0;
  const zero = f32x4.splat(0);
  let channel: usize = 0;
  if (four) {
    for (; channel < vectorBytes; channel += 16) {
      const upper = f32x4.add(f32x4.add(zero, v128.load(a + channel)), v128.load(b + channel));
      v128.store(cell + channel, f32x4.add(f32x4.add(upper, v128.load(c + channel)), v128.load(d + channel)));
    }
  } else {
    for (; channel < vectorBytes; channel += 16) {
      v128.store(cell + channel, f32x4.add(f32x4.add(zero, v128.load(a + channel)), v128.load(b + channel)));
    }
  }
  return channel;
}

/**
 * `cell` = +0 + top[0] + top[1] (+ bottom[0] + bottom[1] when `bottom` is not 0), the next cell =
 * +0 + top[1] (+ bottom[1]): two neighbouring cells whose windows share a column, each quotient
 * cell loaded once, each sum in output order as sumCell's.
 */
function sumPair(cell: usize, top: usize, bottom: usize): void {
  const next = cell + cellBytes;
  const zero = f32x4.splat(0);
  let channel: usize = 0;
  const vectorBytes = cellBytes & ~15;
  for (; channel < vectorBytes; channel += 16) {
    const shared = v128.load(top + cellBytes + channel);
    let sum = f32x4.add(f32x4.add(zero, v128.load(top + channel)), shared);
    let nextSum = f32x4.add(zero, shared);
    if (bottom) {
      const bottomShared = v128.load(bottom + cellBytes + channel);
      sum = f32x4.add(f32x4.add(sum, v128.load(bottom + channel)), bottomShared);
      nextSum = f32x4.add(nextSum, bottomShared);
    }
    v128.store(cell + channel, sum);
    v128.store(next + channel, nextSum);
  }
  for (; channel < cellBytes; channel += 4) {
    const shared = load<f32>(top + cellBytes + channel);
    let sum: f32 = <f32>0 + load<f32>(top + channel) + shared;
    let nextSum: f32 = <f32>0 + shared;
    if (bottom) {
      const bottomShared = load<f32>(bottom + cellBytes + channel);
      sum = sum + load<f32>(bottom + channel) + bottomShared;
      nextSum = nextSum + bottomShared;
    }
    store<f32>(cell + channel, sum);
    store<f32>(next + channel, nextSum);
  }
}

/** One cell without cache or list: each window's share divided again, in output order (rare). */
function gatherCellSlowly(block: usize, cell: usize, x: i32, dilated: bool): void {
  const zHolders = holderEntry(block, 0, slice);
  const yHolders = holderEntry(block, 1, row);
  const xHolders = holderEntry(block, 2, x);
  const checkWidth = !word(block, ADAPTIVE) && word(block, DILATION + 2) > 1;
  const gradOutput = pointer(block, GRAD_OUTPUT) + outPlane;
  for (let channel: usize = 0; channel < cellBytes; channel += 4) {
    let sum: f32 = 0;
    for (let outSlice = load<i32>(zHolders); outSlice <= load<i32>(zHolders, 4); outSlice++) {
      if (dilated && !holds(block, 0, outSlice, slice)) continue;
      for (let outRow = load<i32>(yHolders); outRow <= load<i32>(yHolders, 4); outRow++) {
        if (dilated && !holds(block, 1, outRow, row)) continue;
        const rowCell = (outSlice * word(block, OUT_SIZE + 1) + outRow) * word(block, OUT_SIZE + 2);
        for (let outColumn = load<i32>(xHolders); outColumn <= load<i32>(xHolders, 4); outColumn++) {
          if (checkWidth && !holds(block, 2, outColumn, x)) continue;
          const width = windowEntry(block, 2, outColumn);
          const divisor = windowDivisor(windowEntry(block, 0, outSlice), windowEntry(block, 1, outRow), width);
          sum += load<f32>(gradOutput + <usize>(rowCell + outColumn) * cellBytes + channel) / divisor;
        }
      }
    }
    store<f32>(cell + channel, sum);
  }
}
