// Max pooling forward (pooling and adaptive windows), with optional argmax. Semantics of the
// reference (src/kernels/reference/max-pool.ts): a tap replaces the running max when greater or
// NaN, so NaN propagates and the last NaN wins; the first of tied maxima wins; an empty window
// gives -Infinity and argmax -1. Compare-and-select keeps this bit for bit (f32x4.max would turn
// a -0 followed by +0 into +0; pmax would drop NaN).
import { ARGMAX, IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from './arguments';
import { windowEntry } from './tables';
import { maxOf, nanOf, takes, withNaN } from './max-lanes';
import { maxWindow3x3, maxWindow3x3Indexed, maxWindows3x3Stacked } from './max-3x3';
import { maxWindowIndexed } from './max-indexed';
import {
  beginOutputRow, beginStackedRows, cellBytes, columnBytes, columnCells, group, inBase, outStart, rowBytes, rowCells,
  rows, rowTopLeft, sliceBytes, slices,
} from './walk';

/** Output rows [firstUnit, endUnit): see rows.ts. */
export function maxPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const argmax = pointer(block, ARGMAX);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    if (!argmax && unit + 1 < endUnit && maxPoolRowPair(block, unit)) unit++;
    else maxPoolRow(block, unit);
  }
}

/**
 * Output rows `unit` and `unit + 1` together when beginStackedRows allows (windows 3 taps high,
 * 2 rows apart: they share an input row, then loaded once for both); returns false otherwise.
 */
function maxPoolRowPair(block: usize, unit: i32): bool {
  if (!beginStackedRows(block, unit)) return false;
  const outWidth = word(block, OUT_SIZE + 2);
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const below = output + <usize>outWidth * cellBytes;
  const widthTable = windowEntry(block, 2, 0);
  for (let column = 0; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const columns = load<i32>(width, 4);
    const topLeft = columns ? rowTopLeft + load<i32>(width) : -1;
    const offset = <usize>column * cellBytes;
    const done = columns == 3 ? maxWindows3x3Stacked(output + offset, below + offset, topLeft) : 0;
    if (done == group) continue;
    maxWindow(output + offset, done, topLeft, columns);
    maxWindow(below + offset, done, topLeft < 0 ? -1 : topLeft + 2 * rowCells, columns);
  }
  return true;
}

function maxPoolRow(block: usize, unit: i32): void {
  beginOutputRow(block, unit);
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const argmax = pointer(block, ARGMAX);
  const argmaxRow = argmax ? argmax + (outStart << 2) : 0;
  const outWidth = word(block, OUT_SIZE + 2);
  const widthTable = windowEntry(block, 2, 0); // hoisted: the loop's stores would force reloads
  const dense = slices == 1 && rowCells == word(block, IN_SIZE + 2) && columnCells == 1;
  let column = 0;
  if (group == 1 && !argmax && slices == 1 && rows == 2 && rowCells == word(block, IN_SIZE + 2)) {
    column = maxColumnsNchw2x2(output, widthTable, outWidth);
  }
  for (; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const columns = load<i32>(width, 4);
    const topLeft = slices && rows && columns ? rowTopLeft + load<i32>(width) : -1;
    const offset = <usize>column * cellBytes;
    let done = 0;
    if (dense && rows == 2 && columns == 2 && group >= 4) {
      done = maxWindow2x2(output + offset, argmax ? argmaxRow + offset : 0, topLeft);
    } else if (dense && rows == 3 && columns == 3 && group >= 4) {
      done = argmax ? maxWindow3x3Indexed(output + offset, argmaxRow + offset, topLeft) : maxWindow3x3(output + offset, topLeft);
    }
    if (done == group) continue;
    if (argmax) maxWindowIndexed(output + offset, argmaxRow + offset, done, topLeft, columns);
    else maxWindow(output + offset, done, topLeft, columns);
  }
}

/**
 * channelsFirst, dense 2x2 windows at stride 2: four output columns at a time from eight input
 * columns of both rows (even and odd taps split by shuffles); returns the first column not done.
 */
function maxColumnsNchw2x2(output: usize, widthTable: usize, outWidth: i32): i32 {
  let column = 0;
  while (column + 4 <= outWidth && fourPairs(widthTable + (<usize>column << 4))) {
    const top = inBase + (<usize>(rowTopLeft + load<i32>(widthTable + (<usize>column << 4))) << 2);
    const bottom = top + rowBytes;
    const a = v128.load(top);
    const b = v128.load(top, 16);
    const c = v128.load(bottom);
    const d = v128.load(bottom, 16);
    const topEven = i32x4.shuffle(a, b, 0, 2, 4, 6);
    const topOdd = i32x4.shuffle(a, b, 1, 3, 5, 7);
    const bottomEven = i32x4.shuffle(c, d, 0, 2, 4, 6);
    const bottomOdd = i32x4.shuffle(c, d, 1, 3, 5, 7);
    const best = maxOf(maxOf(maxOf(topEven, topOdd), bottomEven), bottomOdd);
    const nan = v128.or(v128.or(nanOf(topEven), nanOf(topOdd)), v128.or(nanOf(bottomEven), nanOf(bottomOdd)));
    v128.store(output + (<usize>column << 2), withNaN(best, nan));
    column += 4;
  }
  return column;
}

/** Whether the four windows from this table entry are dense pairs at stride 2 (eight columns in a row). */
@inline
export function fourPairs(entry: usize): bool {
  const start = load<i32>(entry);
  return (
    load<i32>(entry, 4) == 2 &&
    load<i32>(entry, 20) == 2 &&
    load<i32>(entry, 36) == 2 &&
    load<i32>(entry, 52) == 2 &&
    load<i32>(entry, 16) == start + 2 &&
    load<i32>(entry, 32) == start + 4 &&
    load<i32>(entry, 48) == start + 6 &&
    load<i32>(entry, 12) == 1
  );
}

/** A dense 2x2 window, four channels at a time; returns how many channels it did. */
@inline
function maxWindow2x2(output: usize, argmax: usize, topLeft: i32): i32 {
  const p00 = inBase + <usize>topLeft * cellBytes;
  const p10 = p00 + rowBytes;
  const step = cellBytes;
  const limit = group & ~3;
  if (argmax == 0) {
    for (let channel = 0; channel < limit; channel += 4) {
      const offset = <usize>channel << 2;
      const a = v128.load(p00 + offset);
      const b = v128.load(p00 + step + offset);
      const c = v128.load(p10 + offset);
      const d = v128.load(p10 + step + offset);
      const nan = v128.or(v128.or(nanOf(a), nanOf(b)), v128.or(nanOf(c), nanOf(d)));
      v128.store(output + offset, withNaN(maxOf(maxOf(maxOf(a, b), c), d), nan));
    }
    return limit;
  }
  const s01 = i32x4.splat(topLeft + 1);
  const s10 = i32x4.splat(topLeft + rowCells);
  const s11 = i32x4.splat(topLeft + rowCells + 1);
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
    v128.store(argmax + offset, index);
  }
  return limit;
}

/** Any window, no argmax: channels [done, group), four at a time, then one at a time. */
function maxWindow(output: usize, done: i32, topLeft: i32, columns: i32): void {
  const start = inBase + <usize>max(topLeft, 0) * cellBytes;
  const sliceCount = topLeft < 0 ? 0 : slices;
  let channel = done;
  for (; channel + 4 <= group; channel += 4) {
    let best = f32x4.splat(-Infinity);
    let nan = f32x4.splat(0);
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < sliceCount; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = v128.load(tap);
          best = maxOf(best, value);
          nan = v128.or(nan, nanOf(value));
        }
      }
    }
    v128.store(output + (<usize>channel << 2), withNaN(best, nan));
  }
  for (; channel < group; channel++) {
    let best: f32 = -Infinity;
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < sliceCount; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = load<f32>(tap);
          if (value > best || value != value) best = value;
        }
      }
    }
    store<f32>(output + (<usize>channel << 2), best);
  }
}
