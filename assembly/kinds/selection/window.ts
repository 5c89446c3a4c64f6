// One window of an output row begun by assembly/pool/walk.ts (beginOutputRow): where its first
// in-bounds tap lies, how many taps it has and, for per-tap weights, the kernel position of that
// first tap. Also the selection kinds' argument fields beyond assembly/pool/arguments.ts's.
import { DILATION, IN_SIZE, KERNEL, OUT_SIZE, PAD_BEFORE, STRIDE, word } from '../../pool/arguments';
import { row, slice } from '../../pool/rows';
import { windowEntry } from '../../pool/tables';
import {
  beginOutputRow, cellBytes, columnCells, group, inBase, outStart, rowCells, rows, rowTopLeft, slices,
} from '../../pool/walk';

/** Block words past the pool module's (which end at 46): a per-channel f32 table, f64 scratch (draws.ts's key: 50, 58). */
export const CHANNEL_TABLE = 48;
export const SCRATCH = 49;
/** Mixed (0) or gated (1). */
export const BLEND_MODE = 51;
/** 1 when no two windows share a cell (stride ≥ the dilated kernel on every axis). */
export const DISJOINT = 54;
/** Gated pooling's room for its gates (one f32 per output element; 0: none): the forward fills it, the backward reads it. */
export const KEPT_GATES = 57;
/** Per-plane f64 sums of the weight gradients' terms ([planes, weights]; src/kernels/reference/extra/plane-sums.ts). */
export const PLANE_SUMS = 59;

// The window last begun (per instance, so per thread).
export let windowColumns: i32 = 0;
export let windowCount: i32 = 0;
/** Flat spatial index of the first in-bounds tap (meaningless when windowCount is 0). */
export let windowTopLeft: i32 = 0;
/** Address of the first in-bounds tap's channel 0. */
export let windowStart: usize = 0;
/** Kernel position (row-major tap number) of the first in-bounds tap. */
export let windowFirstTap: i32 = 0;
/** Kernel positions between taps along depth and height (kH·kW and kW). */
export let tapSlice: i32 = 0;
export let tapRow: i32 = 0;

let rowFirstTap: i32 = 0;

/** The first in-bounds tap's kernel position along `axis` for output cell `cell`. */
function firstTapAlong(block: usize, axis: i32, cell: i32): i32 {
  const start = cell * word(block, STRIDE + axis) - word(block, PAD_BEFORE + axis);
  const offset = load<i32>(windowEntry(block, axis, cell)) - start;
  const dilation = word(block, DILATION + axis);
  return dilation == 1 ? offset : offset / dilation; // the division only where needed: this runs per window
}

/** After beginOutputRow: the kernel position of the row's windows' first tap along depth and height. */
export function beginRowTaps(block: usize): void {
  tapRow = word(block, KERNEL + 2);
  tapSlice = word(block, KERNEL + 1) * tapRow;
  rowFirstTap = firstTapAlong(block, 0, slice) * tapSlice + firstTapAlong(block, 1, row) * tapRow;
}

/** Begins the window of output column `column` of the row begun last; `taps` also finds its first tap. */
export function beginWindow(block: usize, widthTable: usize, column: i32, taps: bool): void {
  const width = widthTable + (<usize>column << 4);
  windowColumns = load<i32>(width, 4);
  windowCount = slices * rows * windowColumns;
  windowTopLeft = rowTopLeft + load<i32>(width);
  windowStart = inBase + <usize>max(windowTopLeft, 0) * cellBytes;
  windowDense =
    windowColumns == 2 && rows == 2 && slices == 1 && columnCells == 1 && rowCells == word(block, IN_SIZE + 2);
  if (taps && windowCount > 0) windowFirstTap = rowFirstTap + firstTapAlong(block, 2, column);
}

/**
 * Whether the window begun last is a whole, undilated 2x2 window of a 2D input (the seed CNN's):
 * taps at windowStart, + cellBytes, + rowBytes and + both, spatial indices windowTopLeft, + 1,
 * + rowCells and + rowCells + 1. Set by beginWindow.
 */
export let windowDense: bool = false;

@inline
export function denseWindow2x2(_block: usize): bool {
  return windowDense;
}

/** Output rows of one outer unit (a sample in NHWC, a plane in NCHW): its first row unit and count. */
@inline
export function rowsPerOuter(block: usize): i32 {
  return word(block, OUT_SIZE) * word(block, OUT_SIZE + 1);
}

/** What a driver hands a kernel: the window's first tap for channel `channel` onwards, its output element, `count` channels. */
export type QuadVisitor = (block: usize, start: usize, index: usize, count: i32) => void;

// The output column and channel of the quad being visited (per instance, so per thread).
export let quadColumn: i32 = 0;
export let quadChannel: i32 = 0;

/** For a window-at-a-time kernel that hands a quad to a per-quad one. */
@inline
export function setQuadChannel(channel: i32): void {
  quadChannel = channel;
}

/** Every window of the output row begun last, four channels at a time (fewer at a group's end). */
function visitRow(block: usize, taps: bool, visit: QuadVisitor): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const widthTable = windowEntry(block, 2, 0);
  if (taps) beginRowTaps(block);
  for (let column = 0; column < outWidth; column++) {
    beginWindow(block, widthTable, column, taps);
    const first = outStart + <usize>(column * group);
    quadColumn = column;
    for (let channel = 0; channel < group; channel += 4) {
      quadChannel = channel;
      visit(block, windowStart + (<usize>channel << 2), first + <usize>channel, min(4, group - channel));
    }
  }
}

/** What a window-at-a-time driver hands a kernel: the window begun last, whose output starts at element `index`. */
export type WindowVisitor = (block: usize, index: usize) => void;

/**
 * Forward kernels that take a window's channels in one call (one indirect call per window, not
 * per quad, and room for a kernel's own fast cases): output rows [firstUnit, endUnit).
 */
export function visitWindows(block: usize, firstUnit: i32, endUnit: i32, taps: bool, visit: WindowVisitor): void {
  const outWidth = word(block, OUT_SIZE + 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    beginOutputRow(block, unit);
    const widthTable = windowEntry(block, 2, 0);
    if (taps) beginRowTaps(block);
    for (let column = 0; column < outWidth; column++) {
      beginWindow(block, widthTable, column, taps);
      quadColumn = column;
      visit(block, outStart + <usize>(column * group));
    }
  }
}

/** Forward kernels: output rows [firstUnit, endUnit) (assembly/pool/rows.ts); `taps` also finds kernel positions. */
export function visitRows(block: usize, firstUnit: i32, endUnit: i32, taps: bool, visit: QuadVisitor): void {
  for (let unit = firstUnit; unit < endUnit; unit++) {
    beginOutputRow(block, unit);
    visitRow(block, taps, visit);
  }
}

/**
 * Scattering backward kernels: outer units [firstUnit, endUnit) (samples in NHWC, planes in NCHW),
 * their windows in output order, so a cell gets its terms in the reference's order and no two
 * threads touch one cell.
 */
export function visitOuters(block: usize, firstUnit: i32, endUnit: i32, taps: bool, visit: QuadVisitor): void {
  const outerRows = rowsPerOuter(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    for (let rowUnit = unit * outerRows; rowUnit < (unit + 1) * outerRows; rowUnit++) {
      beginOutputRow(block, rowUnit);
      visitRow(block, taps, visit);
    }
  }
}
