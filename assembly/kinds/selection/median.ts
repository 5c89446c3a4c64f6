// Median pooling forward (src/kernels/reference/extra/median-pool.ts): the lower median of each
// window's in-bounds cells, taken from the first cell equal to it (−0 equals +0, as ===), the first
// NaN where the window holds NaN, 0 and −1 for an empty window. By rank counting over the window's
// cells gathered into this thread's scratch slot: cell i holds the median when fewer than k + 1
// cells are below it and more than k are at or below it (k = ⌊(n − 1)/2⌋). Exact: only compares.
import { ARGMAX, OUTPUT, pointer, word } from '../../pool/arguments';
import { nanOf } from '../../pool/max-lanes';
import {
  columnBytes, columnCells, group, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { currentThreadSlot } from '../../shared/thread-slot';
import { loadQuad, storeQuad } from './lanes';
import { medianRow2x2, medianWindow2x2 } from './median-dense';
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
  for (let unit = firstUnit; unit < endUnit; unit++) {
    if (!medianRow2x2(block, unit, medianWindow)) visitWindows(block, unit, unit + 1, false, medianWindow);
  }
}

/** Every channel of the window begun last, whose output starts at element `index`. */
function medianWindow(block: usize, index: usize): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const argmedian = pointer(block, ARGMAX);
  const indices = argmedian ? argmedian + (index << 2) : 0;
  let channel = denseWindow2x2(block) ? medianWindow2x2(windowStart, windowTopLeft, output, indices) : 0;
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
