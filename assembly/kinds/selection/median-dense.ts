// Median pooling's dense 2x2 windows (the seed CNN's; median.ts does every other window): the rank
// counting there picks the first cell in window order whose value is the second smallest of the four
// (a cell qualifies exactly when it compares equal to that order statistic), so this takes the
// statistic from a min/max network, min(max(min(a, b), min(c, d)), min(max(a, b), max(c, d))), then
// the first cell equal to it: with the cells (training), its value by three lane selects and its
// spatial index by mask arithmetic; without, the statistic itself, the network's last step ordered
// so that −0 beside +0 gives the first cell's (storeMedian). A window holding NaN (seen
// through (a + b) + (c + d), also NaN for +Infinity beside −Infinity) is done again by nanWindow
// (channelsLast) or median.ts (channelsFirst, whose rows take four windows at a time, as max's).
import { ARGMAX, IN_SIZE, OUT_SIZE, OUTPUT, pointer, word } from '../../pool/arguments';
import { fourPairs } from '../../pool/max';
import { nanOf } from '../../pool/max-lanes';
import { windowEntry } from '../../pool/tables';
import {
  beginOutputRow, cellBytes, columnCells, group, inBase, outStart, rowBytes, rowCells, rows, rowTopLeft, slices,
} from '../../pool/walk';
import { laneSelect } from './lanes';
import { beginWindow, WindowVisitor } from './window';

/**
 * Output row `unit` when its windows are 2 high and undilated in a 2D input, channelsLast of whole
 * channel quads or channelsFirst: the windows 2 wide here, any other (cut by padding, or holding NaN
 * in channelsFirst) by `other`. False, having done nothing, for any other row.
 */
export function medianRow2x2(block: usize, unit: i32, other: WindowVisitor): bool {
  beginOutputRow(block, unit);
  const channels = group;
  if (slices != 1 || rows != 2 || columnCells != 1 || rowCells != word(block, IN_SIZE + 2)) return false;
  if (channels != 1 && (channels & 3) != 0) return false;
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const argmedian = pointer(block, ARGMAX);
  const indices = argmedian ? argmedian + (outStart << 2) : 0;
  if (channels == 1) return planeRow2x2(block, output, indices, other);
  const outWidth = word(block, OUT_SIZE + 2);
  const widthTable = windowEntry(block, 2, 0);
  const input = inBase;
  const step = cellBytes;
  const down = rowBytes;
  const rowTop = rowTopLeft;
  const below = rowCells;
  for (let column = 0; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const offset = <usize>column * step;
    if (load<i32>(width, 4) != 2) {
      beginWindow(block, widthTable, column, false);
      other(block, outStart + <usize>(column * channels));
      continue;
    }
    const topLeft = rowTop + load<i32>(width);
    const start = input + <usize>topLeft * step;
    windowQuads(start, down, step, topLeft, below, channels, output + offset, indices ? indices + offset : 0);
  }
  return true;
}

/**
 * A channelsFirst row (medianRow2x2's): four windows at a time where four 2-wide ones follow at
 * stride 2 (their cells split from eight input columns per row by shuffles), else one.
 */
function planeRow2x2(block: usize, output: usize, argmedian: usize, other: WindowVisitor): bool {
  const outWidth = word(block, OUT_SIZE + 2);
  const widthTable = windowEntry(block, 2, 0);
  const input = inBase;
  const down = rowBytes;
  const rowTop = rowTopLeft;
  const secondRow = i32x4.splat(rowCells);
  let column = 0;
  while (column < outWidth) {
    const entry = widthTable + (<usize>column << 4);
    const four = column + 4 <= outWidth && fourPairs(entry);
    const windows = four ? 4 : 1;
    const offset = <usize>column << 2;
    const topLeft = rowTop + load<i32>(entry);
    const top = input + (<usize>topLeft << 2);
    const indices = argmedian ? argmedian + offset : 0;
    const dense = four || load<i32>(entry, 4) == 2;
    if (!dense || !planeWindows(top, down, topLeft, secondRow, output + offset, indices, four)) {
      for (let at = column; at < column + windows; at++) {
        beginWindow(block, widthTable, at, false);
        other(block, outStart + <usize>at);
      }
    }
    column += windows;
  }
  return true;
}

/** Four dense channelsFirst windows from `top` at stride 2, or one; false when they may hold NaN. */
@inline
function planeWindows(
  top: usize, down: usize, topLeft: i32, secondRow: v128, output: usize, argmedian: usize, four: bool,
): bool {
  if (!four) {
    const a = v128.load32_zero(top);
    const b = v128.load32_zero(top + 4);
    const c = v128.load32_zero(top + down);
    const d = v128.load32_zero(top + down + 4);
    return !v128.any_true(storeMedian(a, b, c, d, i32x4.splat(topLeft + 1), secondRow, output, argmedian, 1));
  }
  const x = v128.load(top);
  const y = v128.load(top, 16);
  const z = v128.load(top + down);
  const w = v128.load(top + down, 16);
  const a = i32x4.shuffle(x, y, 0, 2, 4, 6);
  const b = i32x4.shuffle(x, y, 1, 3, 5, 7);
  const c = i32x4.shuffle(z, w, 0, 2, 4, 6);
  const d = i32x4.shuffle(z, w, 1, 3, 5, 7);
  const cellB = i32x4.add(i32x4.splat(topLeft + 1), i32x4(0, 2, 4, 6));
  return !v128.any_true(storeMedian(a, b, c, d, cellB, secondRow, output, argmedian, 4));
}

/** windowQuads over the window begun last (window.ts's windowDense); returns how many channels it did. */
export function medianWindow2x2(start: usize, topLeft: i32, output: usize, argmedian: usize): i32 {
  const limit = group & ~3;
  windowQuads(start, rowBytes, cellBytes, topLeft, rowCells, limit, output, argmedian);
  return limit;
}

/** The dense window at `start` (spatial index `topLeft`), channels [0, limit) four at a time. */
@inline
function windowQuads(
  start: usize, down: usize, step: usize, topLeft: i32, below: i32, limit: i32, output: usize, argmedian: usize,
): void {
  const p10 = start + down;
  const secondRow = i32x4.splat(below);
  const cellB = i32x4.splat(topLeft + 1);
  let nan = i32x4.splat(0);
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(start + offset);
    const b = v128.load(start + step + offset);
    const c = v128.load(p10 + offset);
    const d = v128.load(p10 + step + offset);
    nan = v128.or(nan, storeMedian(a, b, c, d, cellB, secondRow, output + offset, argmedian ? argmedian + offset : 0, 4));
  }
  if (v128.any_true(nan)) nanWindow(start, down, step, topLeft, below, limit, output, argmedian);
}

/**
 * Stores the first `lanes` (4 or 1) medians of windows (a, b; c, d), and their cells' spatial
 * indices (cell b's in `cellB`, the second row `secondRow` on) where `argmedian` is not 0; returns
 * the lanes that may hold NaN, whose stores are wrong.
 */
@inline
function storeMedian(
  a: v128, b: v128, c: v128, d: v128, cellB: v128, secondRow: v128, output: usize, argmedian: usize, lanes: i32,
): v128 {
  const minimumAB = f32x4.pmin(a, b);
  const minimumCD = f32x4.pmin(c, d);
  const lower = f32x4.pmax(minimumAB, minimumCD);
  const upper = f32x4.pmin(f32x4.pmax(a, b), f32x4.pmax(c, d));
  if (argmedian == 0) {
    // pmin and pmax keep their first operand on ties, so every step keeps the first of equal cells
    // (−0 beside +0) except the last where lower comes from c, d and upper from a, b: there upper.
    const median = laneSelect(f32x4.pmin(upper, lower), f32x4.pmin(lower, upper), f32x4.lt(minimumAB, minimumCD));
    if (lanes == 4) v128.store(output, median);
    else v128.store32_lane(output, median, 0);
    return nanOf(f32x4.add(f32x4.add(a, b), f32x4.add(c, d)));
  }
  const median = f32x4.pmin(lower, upper);
  const medianA = f32x4.eq(a, median);
  const medianB = f32x4.eq(b, median);
  const medianC = f32x4.eq(c, median);
  const value = laneSelect(a, laneSelect(b, laneSelect(c, d, medianC), medianB), medianA);
  // Cell a: b − 1; b; c: a + secondRow; d: both. The first row when a or b; column 0 when a, or c before b.
  const firstRow = v128.or(medianA, medianB);
  const firstColumn = v128.or(medianA, v128.andnot(medianC, medianB)); // −1 lanes
  const index = i32x4.add(i32x4.add(cellB, v128.andnot(secondRow, firstRow)), firstColumn);
  if (lanes == 4) {
    v128.store(output, value);
    v128.store(argmedian, index);
  } else {
    v128.store32_lane(output, value, 0);
    v128.store32_lane(argmedian, index, 0);
  }
  return nanOf(f32x4.add(f32x4.add(a, b), f32x4.add(c, d)));
}

/** windowQuads for a window that may hold NaN: the first NaN where there is one. */
function nanWindow(
  start: usize, down: usize, step: usize, first: i32, below: i32, limit: i32, output: usize, argmedian: usize,
): void {
  const p10 = start + down;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(start + offset);
    const b = v128.load(start + step + offset);
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
    let index = i32x4.splat(first + below + 1);
    value = v128.bitselect(c, value, medianC);
    index = v128.bitselect(i32x4.splat(first + below), index, medianC);
    value = v128.bitselect(b, value, medianB);
    index = v128.bitselect(i32x4.splat(first + 1), index, medianB);
    value = v128.bitselect(a, value, medianA);
    index = v128.bitselect(i32x4.splat(first), index, medianA);
    let nanIndex = i32x4.splat(first + below + 1);
    nanIndex = v128.bitselect(i32x4.splat(first + below), nanIndex, nanOf(c));
    nanIndex = v128.bitselect(i32x4.splat(first + 1), nanIndex, nanOf(b));
    nanIndex = v128.bitselect(i32x4.splat(first), nanIndex, nanOf(a));
    const nan = v128.or(v128.or(nanOf(a), nanOf(b)), v128.or(nanOf(c), nanOf(d)));
    v128.store(output + offset, v128.bitselect(f32x4.splat(NaN), value, nan));
    if (argmedian) v128.store(argmedian + offset, v128.bitselect(nanIndex, index, nan));
  }
}
