// Median pooling forward (src/kernels/reference/extra/median-pool.ts): the lower median of each
// window's in-bounds cells, taken from the first cell equal to it (−0 equals +0, as ===), the first
// NaN where the window holds NaN, 0 and −1 for an empty window. By rank counting over the window's
// cells gathered into this thread's scratch slot: cell i holds the median when fewer than k + 1
// cells are below it and more than k are at or below it (k = ⌊(n − 1)/2⌋). Exact: only compares.
import { ARGMAX, OUTPUT, pointer, word } from '../../pool/arguments';
import { nanOf } from '../../pool/max-lanes';
import {
  cellBytes, columnBytes, columnCells, group, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { currentThreadSlot } from '../../shared/thread-slot';
import { laneSelect, loadQuad, storeQuad } from './lanes';
import {
  denseWindow2x2, SCRATCH, visitWindows, windowColumns, windowCount, windowStart, windowTopLeft,
} from './window';

/** Block word: bytes of one thread's scratch slot (16 per window cell). */
export const SLOT_BYTES = 55;

// This call's scratch slot (per instance, so per thread).
let slot: usize = 0;

/** Output rows [firstUnit, endUnit): see assembly/pool/rows.ts. */
export function medianPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SLOT_BYTES);
  visitWindows(block, firstUnit, endUnit, false, medianWindow);
}

/** Every channel of the window begun last, whose output starts at element `index`. */
function medianWindow(block: usize, index: usize): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const argmedian = pointer(block, ARGMAX);
  const indices = argmedian ? argmedian + (index << 2) : 0;
  let channel = denseWindow2x2(block) ? medianWindow2x2(output, indices) : 0;
  for (; channel < group; channel += 4) {
    const offset = <usize>channel << 2;
    const count = min(4, group - channel);
    if (windowCount == 0) {
      storeQuad(output + offset, f32x4.splat(0), count);
      if (indices) storeQuad(indices + offset, i32x4.splat(-1), count);
    } else {
      gatherWindow(windowStart + offset, slot, count);
      medianQuad(slot, output + offset, indices ? indices + offset : 0, count);
    }
  }
}

/**
 * A dense 2x2 window (window.ts's denseWindow2x2), four channels at a time, in registers. medianQuad's
 * rank counting picks the first cell in window order whose value is the second smallest of the four
 * (a cell qualifies exactly when it compares equal to that order statistic), so this takes the
 * statistic from a min/max network, min(max(min(a, b), min(c, d)), min(max(a, b), max(c, d))), then
 * the first cell equal to it: its value by three lane selects (the statistic's own bits may be the
 * other zero's) and, when asked, its spatial index by mask arithmetic. A window holding NaN (seen
 * through (a + b) + (c + d), which is also NaN for +Infinity beside −Infinity) is done again by
 * medianNaNWindow2x2. Returns how many channels it did.
 */
@inline
function medianWindow2x2(output: usize, argmedian: usize): i32 {
  const p00 = windowStart;
  const p10 = p00 + rowBytes;
  const step = cellBytes;
  const secondRow = i32x4.splat(rowCells);
  const cellB = i32x4.splat(windowTopLeft + 1);
  const limit = group & ~3;
  let nan = i32x4.splat(0);
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(p00 + offset);
    const b = v128.load(p00 + step + offset);
    const c = v128.load(p10 + offset);
    const d = v128.load(p10 + step + offset);
    const lower = f32x4.pmax(f32x4.pmin(a, b), f32x4.pmin(c, d));
    const upper = f32x4.pmin(f32x4.pmax(a, b), f32x4.pmax(c, d));
    const median = f32x4.pmin(lower, upper);
    const medianA = f32x4.eq(a, median);
    const medianB = f32x4.eq(b, median);
    const medianC = f32x4.eq(c, median);
    nan = v128.or(nan, nanOf(f32x4.add(f32x4.add(a, b), f32x4.add(c, d))));
    v128.store(output + offset, laneSelect(a, laneSelect(b, laneSelect(c, d, medianC), medianB), medianA));
    if (argmedian == 0) continue;
    // Cell a: topLeft; b: + 1; c: + rowCells; d: both. The first row when a or b; column 0 when a, or c before b.
    const firstRow = v128.or(medianA, medianB);
    const firstColumn = v128.or(medianA, v128.andnot(medianC, medianB)); // −1 lanes
    const index = i32x4.add(i32x4.add(cellB, v128.andnot(secondRow, firstRow)), firstColumn);
    v128.store(argmedian + offset, index);
  }
  return v128.any_true(nan) ? medianNaNWindow2x2(output, argmedian) : limit;
}

/** medianWindow2x2 for a window that may hold NaN: the first NaN where there is one. */
function medianNaNWindow2x2(output: usize, argmedian: usize): i32 {
  const p00 = windowStart;
  const p10 = p00 + rowBytes;
  const step = cellBytes;
  const first = windowTopLeft;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(p00 + offset);
    const b = v128.load(p00 + step + offset);
    const c = v128.load(p10 + offset);
    const d = v128.load(p10 + step + offset);
    // pmin/pmax: NaN lanes give any value here, and the NaN rule below overrides them.
    const lower = f32x4.pmax(f32x4.pmin(a, b), f32x4.pmin(c, d));
    const upper = f32x4.pmin(f32x4.pmax(a, b), f32x4.pmax(c, d));
    const second = f32x4.pmin(lower, upper);
    const medianA = f32x4.eq(a, second);
    const medianB = f32x4.eq(b, second);
    const medianC = f32x4.eq(c, second);
    // Later cells first, so the earliest median (or NaN) is selected last.
    let value = d;
    let index = i32x4.splat(first + rowCells + 1);
    value = v128.bitselect(c, value, medianC);
    index = v128.bitselect(i32x4.splat(first + rowCells), index, medianC);
    value = v128.bitselect(b, value, medianB);
    index = v128.bitselect(i32x4.splat(first + 1), index, medianB);
    value = v128.bitselect(a, value, medianA);
    index = v128.bitselect(i32x4.splat(first), index, medianA);
    let nanIndex = i32x4.splat(first + rowCells + 1);
    nanIndex = v128.bitselect(i32x4.splat(first + rowCells), nanIndex, nanOf(c));
    nanIndex = v128.bitselect(i32x4.splat(first + 1), nanIndex, nanOf(b));
    nanIndex = v128.bitselect(i32x4.splat(first), nanIndex, nanOf(a));
    const nan = v128.or(v128.or(nanOf(a), nanOf(b)), v128.or(nanOf(c), nanOf(d)));
    v128.store(output + offset, v128.bitselect(f32x4.splat(NaN), value, nan));
    if (argmedian) v128.store(argmedian + offset, v128.bitselect(nanIndex, index, nan));
  }
  return limit;
}

// gatherWindow's result: the first NaN cell of each lane.
export let nanFound: v128 = i32x4.splat(0);
export let nanIndex: v128 = i32x4.splat(0);

/** Copies the window's cells (count lanes each) into `slot`, 16 bytes per cell, in window order. */
export function gatherWindow(start: usize, slot: usize, count: i32): void {
  let found = i32x4.splat(0);
  let foundIndex = i32x4.splat(0);
  let at = slot;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells, at += 16) {
        const value = loadQuad(tap, count);
        const nan = nanOf(value);
        foundIndex = v128.bitselect(i32x4.splat(tapIndex), foundIndex, v128.andnot(nan, found));
        found = v128.or(found, nan);
        v128.store(at, value);
      }
    }
  }
  nanFound = found;
  nanIndex = foundIndex;
}

/** The median of the gathered window (windowCount cells in `slot`), stored with its spatial index. */
function medianQuad(slot: usize, output: usize, argmedian: usize, count: i32): void {
  const cells = windowCount;
  const rank = i32x4.splat((cells - 1) >> 1);
  let found = i32x4.splat(0);
  let value = f32x4.splat(0);
  let position = i32x4.splat(0);
  for (let cell = 0; cell < cells; cell++) {
    const candidate = v128.load(slot + (<usize>cell << 4));
    let below = i32x4.splat(0);
    let atOrBelow = i32x4.splat(0);
    for (let other = 0; other < cells; other++) {
      const compared = v128.load(slot + (<usize>other << 4));
      below = i32x4.sub(below, f32x4.lt(compared, candidate)); // a true lane is −1
      atOrBelow = i32x4.sub(atOrBelow, f32x4.le(compared, candidate));
    }
    const median = v128.and(i32x4.le_s(below, rank), i32x4.gt_s(atOrBelow, rank));
    const hit = v128.andnot(median, found);
    value = v128.bitselect(candidate, value, hit);
    position = v128.bitselect(i32x4.splat(cell), position, hit);
    found = v128.or(found, hit);
  }
  storeQuad(output, v128.bitselect(f32x4.splat(NaN), value, nanFound), count);
  if (argmedian == 0) return;
  storeQuad(argmedian, v128.bitselect(nanIndex, spatialIndices(position), nanFound), count);
}

/** Spatial indices of window positions (window order over the in-bounds taps). */
function spatialIndices(position: v128): v128 {
  return i32x4(
    spatialOf(i32x4.extract_lane(position, 0)),
    spatialOf(i32x4.extract_lane(position, 1)),
    spatialOf(i32x4.extract_lane(position, 2)),
    spatialOf(i32x4.extract_lane(position, 3)),
  );
}

function spatialOf(position: i32): i32 {
  const perRow = windowColumns;
  const perSlice = rows * perRow;
  const slice = position / perSlice;
  const row = (position % perSlice) / perRow;
  return windowTopLeft + slice * sliceCells + row * rowCells + (position % perRow) * columnCells;
}
