// One window of an output row begun by assembly/pool/walk.ts (beginOutputRow): where its first
// in-bounds tap lies, how many taps it has and, for per-tap weights, the kernel position of that
// first tap. Also the selection kinds' argument fields beyond assembly/pool/arguments.ts's.
import { DILATION, KERNEL, OUT_SIZE, PAD_BEFORE, STRIDE, word } from '../../pool/arguments';
import { row, slice } from '../../pool/rows';
import { windowEntry } from '../../pool/tables';
import { cellBytes, inBase, rows, rowTopLeft, slices } from '../../pool/walk';

/** Block words past the pool module's (which end at 46): a per-channel f32 table, f64 scratch, draws. */
export const CHANNEL_TABLE = 48;
export const SCRATCH = 49;
export const DRAWS = 50;
/** Mixed (0) or gated (1); the weight gradient's pointer; 1 when the weights are the layer's (not per channel). */
export const BLEND_MODE = 51;
export const WEIGHT_GRADIENT = 52;
export const SHARED_WEIGHTS = 53;
/** 1 when no two windows share a cell (stride ≥ the dilated kernel on every axis). */
export const DISJOINT = 54;

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
  if (taps && windowCount > 0) windowFirstTap = rowFirstTap + firstTapAlong(block, 2, column);
}

/** Output rows of one outer unit (a sample in NHWC, a plane in NCHW): its first row unit and count. */
@inline
export function rowsPerOuter(block: usize): i32 {
  return word(block, OUT_SIZE) * word(block, OUT_SIZE + 1);
}
