// Min pooling forward (src/pooling/kinds/min.ts), with optional argmin: a tap replaces the running
// min when smaller or NaN (so the last NaN wins, as max pooling's rule mirrored), the first of tied
// minima wins, an empty window gives +Infinity and -1. Float32 compare-and-select: exact. A dense
// 2x2 window (the seed CNN's) takes its four taps in straight-line code, four channels at a time.
import { ARGMAX, OUTPUT, pointer } from '../../pool/arguments';
import {
  cellBytes, columnBytes, columnCells, group, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { loadQuad, storeQuad } from './lanes';
import { nanOf } from '../../pool/max-lanes';
import { denseWindow2x2, visitWindows, windowColumns, windowCount, windowStart, windowTopLeft } from './window';

/** Output rows [firstUnit, endUnit): see assembly/pool/rows.ts. */
export function minPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitWindows(block, firstUnit, endUnit, false, minWindow);
}

/** Lanes where `value` replaces the running min: smaller, or NaN. */
@inline
function takes(value: v128, best: v128): v128 {
  return v128.or(f32x4.lt(value, best), nanOf(value));
}

/** Every channel of the window begun last, whose output starts at element `index`. */
function minWindow(block: usize, index: usize): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const argmin = pointer(block, ARGMAX);
  const indices = argmin ? argmin + (index << 2) : 0;
  let channel = denseWindow2x2(block) ? minWindow2x2(output, indices) : 0;
  for (; channel < group; channel += 4) {
    const offset = <usize>channel << 2;
    minQuad(windowStart + offset, output + offset, indices ? indices + offset : 0, min(4, group - channel));
  }
}

/** A dense 2x2 window, four channels at a time; returns how many channels it did. */
@inline
function minWindow2x2(output: usize, argmin: usize): i32 {
  const p00 = windowStart;
  const p10 = p00 + rowBytes;
  const step = cellBytes;
  const topLeft = windowTopLeft;
  const s01 = i32x4.splat(topLeft + 1);
  const s10 = i32x4.splat(topLeft + rowCells);
  const s11 = i32x4.splat(topLeft + rowCells + 1);
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    let best = v128.load(p00 + offset);
    let index = i32x4.splat(topLeft);
    let value = v128.load(p00 + step + offset);
    let take = takes(value, best);
    best = v128.bitselect(value, best, take);
    index = v128.bitselect(s01, index, take);
    value = v128.load(p10 + offset);
    take = takes(value, best);
    best = v128.bitselect(value, best, take);
    index = v128.bitselect(s10, index, take);
    value = v128.load(p10 + step + offset);
    take = takes(value, best);
    best = v128.bitselect(value, best, take);
    index = v128.bitselect(s11, index, take);
    v128.store(output + offset, best);
    if (argmin) v128.store(argmin + offset, index);
  }
  return limit;
}

@inline
function minQuad(start: usize, output: usize, argmin: usize, count: i32): void {
  let best = f32x4.splat(Infinity);
  let index = i32x4.splat(windowCount ? windowTopLeft : -1);
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < columns; kx++, tap += columnStep, tapIndex += columnCells) {
        const value = loadQuad(tap, count);
        const take = takes(value, best);
        best = v128.bitselect(value, best, take);
        index = v128.bitselect(i32x4.splat(tapIndex), index, take);
      }
    }
  }
  storeQuad(output, best, count);
  if (argmin) storeQuad(argmin, index, count);
}
