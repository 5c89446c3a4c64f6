// LSE pooling's backward (the forward and the shared lane functions: lse.ts): from the forward's kept room,
// fused where windows do not overlap, else statistics then a gather.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes } from '../simd-math';
import { CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { addRowTerms, finiteLanes, isFourTaps, loadLanes, offsetLanes, storeLanes, weightLanes } from './lanes';
import { walkInputRows, walkOutputRows } from './walks';
import { lseLanes, lseRateFactor, rate, shift, total } from './lse';

/**
 * Adds gradOutput·∂y/∂r (`factor` = ∂y/∂r, lseRateFactor; 0 where y is not finite) to the row's terms;
 * returns gradOutput/Σe (`sum` = Σe).
 */
@inline
function lseWindowGradient(block: usize, outIndex: usize, channel: i32, full: bool, y: v128, factor: v128, sum: v128): v128 {
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  addRowTerms(block, channel, full, v128.and(f32x4.mul(gradient, factor), finiteLanes(y)));
  return f32x4.div(gradient, sum);
}

/** gradOutput/Σe · e where e > 0 and the window passes gradient (`passes`), 0 elsewhere. */
@inline
function lseShareLanes(weight: v128, scale: v128, passes: v128): v128 {
  return v128.and(f32x4.mul(scale, weight), v128.and(f32x4.gt(weight, f32x4.splat(0)), passes));
}

/**
 * One window's lanes when no other window holds its cells: with `saved`, the saving forward's weights
 * and window values read back; else the window computed anew, weights parked in the gradInput cells.
 * Then the shares written over the gradInput cells.
 */
@inline
function lseFusedLanes(block: usize, start: usize, outIndex: usize, columns: i32, channel: i32, full: bool, saved: bool): void {
  if (columns == 0) return;
  const written = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const parked = saved ? pointer(block, CELL_SCRATCH) - pointer(block, INPUT) : written;
  let y: v128, scale: v128;
  if (saved) {
    const stats = pointer(block, STATS) + (outIndex << 2);
    const plane = <usize>word(block, STATS_PLANE_BYTES);
    y = loadLanes(stats, full);
    scale = lseWindowGradient(block, outIndex, channel, full, y, loadLanes(stats + 2 * plane, full), loadLanes(stats + plane, full));
  } else {
    y = lseLanes(start, columns, full, weightLanes(block, channel, full), true, parked);
    scale = lseWindowGradient(block, outIndex, channel, full, y, lseRateFactor(start, columns, full, y, true), total);
  }
  const passes = finiteLanes(y);
  if (isFourTaps(columns)) {
    lseShareCell(start, full, parked, written, scale, passes);
    lseShareCell(start + columnBytes, full, parked, written, scale, passes);
    lseShareCell(start + rowBytes, full, parked, written, scale, passes);
    lseShareCell(start + rowBytes + columnBytes, full, parked, written, scale, passes);
    return;
  }
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) lseShareCell(tap, full, parked, written, scale, passes);
    }
  }
}

/** One cell's share (lseShareLanes of its weight, parked `parked` bytes past it), written `written` bytes past it. */
@inline
function lseShareCell(tap: usize, full: bool, parked: usize, written: usize, scale: v128, passes: v128): void {
  storeLanes(tap + written, lseShareLanes(loadLanes(tap + parked, full), scale, passes), full);
}

@inline
function lseFusedChannels(block: usize, start: usize, outIndex: usize, columns: i32, saved: bool): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    lseFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, true, saved);
  }
  for (; channel < group; channel++) {
    lseFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, false, saved);
  }
}

function lseFusedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lseFusedChannels(block, start, outIndex, columns, false);
}

function lseSavedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lseFusedChannels(block, start, outIndex, columns, true);
}

/** As lseFusedBackwardRows, from what lsePoolSavingRows kept (same tensors, same r). */
export function lseSavedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lseSavedWindow);
}

/**
 * Output rows [firstUnit, endUnit) of LSE pooling's backward where no input cell lies in two
 * windows: writes the gradient of every cell some window holds (the caller zeroed the others) and
 * each row's ∂/∂r terms (zeroed by the caller).
 */
export function lseFusedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lseFusedWindow);
}

/** One window's statistics: m (NaN where no gradient passes), the rate used, gradOutput/Σe; its ∂/∂r terms. */
@inline
function lseStatsLanes(block: usize, start: usize, outIndex: usize, columns: i32, channel: i32, full: bool): void {
  if (columns == 0) return; // no cell gathers from it
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const y = lseLanes(start, columns, full, weightLanes(block, channel, full), false, 0);
  const scale = lseWindowGradient(block, outIndex, channel, full, y, lseRateFactor(start, columns, full, y, false), total);
  storeLanes(stats, v128.or(shift, v128.not(finiteLanes(y))), full);
  storeLanes(stats + plane, rate, full);
  storeLanes(stats + plane + plane, scale, full);
}

function lseStatsWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    lseStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, true);
  }
  for (; channel < group; channel++) {
    lseStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, false);
  }
}

/** Output rows [firstUnit, endUnit): the statistics LSE's gather pass reads, and the rows' ∂/∂r terms. */
export function lseStatsRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lseStatsWindow);
}

/** cell += gradOutput/Σe · e^{r(x − m)} from one window (NaN m: a window passing no gradient, adds 0). */
@inline
function lseGatherLanes(block: usize, inIndex: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const value = loadLanes(pointer(block, INPUT) + (inIndex << 2), full);
  const m = loadLanes(stats, full);
  const weight = expWeightLanes(f32x4.mul(loadLanes(stats + plane, full), offsetLanes(value, m)));
  const share = lseShareLanes(weight, loadLanes(stats + plane + plane, full), f32x4.eq(m, m));
  const cell = pointer(block, GRAD_INPUT) + (inIndex << 2);
  storeLanes(cell, f32x4.add(loadLanes(cell, full), share), full);
}

function lseGatherWindow(block: usize, inIndex: usize, outIndex: usize, cellGroup: i32): void {
  let channel = 0;
  for (; channel + 4 <= cellGroup; channel += 4) lseGatherLanes(block, inIndex + channel, outIndex + channel, true);
  for (; channel < cellGroup; channel++) lseGatherLanes(block, inIndex + channel, outIndex + channel, false);
}

/** Input rows [firstUnit, endUnit) of LSE pooling's gradInput, after lseStatsRows. */
export function lseBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkInputRows(block, firstUnit, endUnit, lseGatherWindow);
}
