// The row setup shared by the forward kernels: which output row a unit is, where its input plane
// starts, and the row's window along depth and height, read from the tables (tables.ts). Results go
// to globals (per instance, so per thread) that the window loops copy into locals.
import { INPUT, IN_SIZE, OUT_SIZE, pointer, word } from './arguments';
import { groupOf, outer, row, rowOf, rowStart, slice, spatialSize } from './rows';
import { windowEntry } from './tables';

/** Bytes of one spatial cell (all its channels in NHWC, one value in NCHW). */
export let cellBytes: usize = 0;
export let group: i32 = 0;
export let inBase: usize = 0;
/** Element index of the row's first output cell. */
export let outStart: usize = 0;
/** Spatial index of the first in-bounds (slice, row) of the row's windows, without the column. */
export let rowTopLeft: i32 = 0;
export let slices: i32 = 0;
export let rows: i32 = 0;
/** Taps counted for averages along depth and height (padded) and in bounds. */
export let slicesPadded: i32 = 0;
export let rowsPadded: i32 = 0;
/** Spatial-index and byte steps between taps along depth, height and width. */
export let sliceCells: i32 = 0;
export let rowCells: i32 = 0;
export let columnCells: i32 = 0;
export let sliceBytes: usize = 0;
export let rowBytes: usize = 0;
export let columnBytes: usize = 0;

export function beginOutputRow(block: usize, unit: i32): void {
  rowOf(block, unit, OUT_SIZE);
  group = groupOf(block);
  cellBytes = <usize>group << 2;
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  inBase = pointer(block, INPUT) + <usize>outer * <usize>spatialSize(block, IN_SIZE) * cellBytes;
  outStart = rowStart(block, OUT_SIZE);
  const depth = windowEntry(block, 0, slice);
  const height = windowEntry(block, 1, row);
  slices = load<i32>(depth, 4);
  rows = load<i32>(height, 4);
  slicesPadded = load<i32>(depth, 8);
  rowsPadded = load<i32>(height, 8);
  rowTopLeft = (load<i32>(depth) * inHeight + load<i32>(height)) * inWidth;
  // A dilation of up to 2^31 - 1 may wrap these steps; they are only followed between taps, and two
  // taps along an axis lie inside the input, so a step actually taken is under the input's size.
  sliceCells = load<i32>(depth, 12) * inHeight * inWidth;
  rowCells = load<i32>(height, 12) * inWidth;
  columnCells = load<i32>(windowEntry(block, 2, 0), 12);
  sliceBytes = <usize>sliceCells * cellBytes;
  rowBytes = <usize>rowCells * cellBytes;
  columnBytes = <usize>columnCells * cellBytes;
}

/**
 * Begins output row `unit` (as beginOutputRow) and says whether row `unit + 1` may be done with it:
 * both rows of windows 3 taps high (no depth, no dilation, channelsLast groups of 4 or more) in one
 * plane, the second 2 input rows below the first, with the same padded height. Two such rows
 * share an input row, which a kernel then loads once for both. Any other row is told apart after
 * one beginOutputRow, so rows of other windows (2x2, say) pay little for the question.
 */
export function beginStackedRows(block: usize, unit: i32): bool {
  beginOutputRow(block, unit);
  const dense = slices == 1 && rowCells == word(block, IN_SIZE + 2) && columnCells == 1 && group >= 4;
  if (!dense || rows != 3) return false;
  const firstOuter = outer;
  const firstSlice = slice;
  const firstRowsPadded = rowsPadded;
  const firstTopLeft = rowTopLeft;
  beginOutputRow(block, unit + 1);
  const stacked =
    rows == 3 &&
    rowsPadded == firstRowsPadded &&
    outer == firstOuter &&
    slice == firstSlice &&
    rowTopLeft == firstTopLeft + 2 * rowCells;
  beginOutputRow(block, unit);
  return stacked;
}
