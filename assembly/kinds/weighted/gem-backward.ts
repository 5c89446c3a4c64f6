// GeM pooling's backward (the forward and the shared lane functions: gem.ts): from the forward's kept room,
// fused where windows do not overlap, else statistics then a gather.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes, logLanes } from '../simd-math';
import { CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { addRowTerms, finiteLanes, isFourTaps, loadLanes, storeLanes, weightLanes } from './lanes';
import { walkInputRows, walkOutputRows } from './walks';
import { EPSILON, SMALLEST_NORMAL, gemLanes, powerFactor, scale, total } from './gem';

/**
 * Adds gradOutput·∂y/∂p (`perPower` = ∂y/∂p, powerFactor; 0 where y is not finite) to the row's float64
 * terms; returns gradOutput·y/T (`perTotal` = y/T).
 */
@inline
function gemWindowGradient(block: usize, outIndex: usize, channel: i32, full: bool, y: v128, perTotal: v128, perPower: v128): v128 {
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  addRowTerms(block, channel, full, v128.and(f32x4.mul(gradient, perPower), finiteLanes(y)));
  return f32x4.mul(gradient, perTotal);
}

/** gemWindowGradient after gemLanes of a non-empty window. */
@inline
function computedWindowGradient(block: usize, outIndex: usize, channel: i32, full: bool, power: v128, y: v128): v128 {
  return gemWindowGradient(block, outIndex, channel, full, y, f32x4.div(y, total), powerFactor(y, power));
}

/** gradOutput·y/T · t/c where x ≥ ε and the window passes gradient (`passes`), 0 elsewhere. */
@inline
function gemShareLanes(value: v128, term: v128, factor: v128, passes: v128): v128 {
  const clamped = f32x4.pmax(value, f32x4.splat(EPSILON));
  const kept = v128.and(f32x4.ge(value, f32x4.splat(EPSILON)), passes);
  return v128.and(f32x4.div(f32x4.mul(factor, term), clamped), kept);
}

/**
 * One window's lanes when no other window holds its cells: with `saved`, the saving forward's t
 * and sums read back; else the window computed anew, t parked in the gradInput cells. Then the
 * gradient written over the gradInput cells.
 */
@inline
function gemFusedLanes(block: usize, start: usize, outIndex: usize, columns: i32, channel: i32, full: bool, saved: bool): void {
  if (columns == 0) return;
  const written = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const parked = saved ? pointer(block, CELL_SCRATCH) - pointer(block, INPUT) : written;
  let y: v128, factor: v128;
  if (saved) {
    const stats = pointer(block, STATS) + (outIndex << 2);
    const plane = <usize>word(block, STATS_PLANE_BYTES);
    y = loadLanes(stats, full);
    factor = gemWindowGradient(block, outIndex, channel, full, y, loadLanes(stats + plane, full), loadLanes(stats + 2 * plane, full));
  } else {
    const power = weightLanes(block, channel, full);
    y = gemLanes(start, columns, full, power, true, parked);
    factor = computedWindowGradient(block, outIndex, channel, full, power, y);
  }
  const passes = finiteLanes(y);
  if (isFourTaps(columns)) {
    gemShareCell(start, full, parked, written, factor, passes);
    gemShareCell(start + columnBytes, full, parked, written, factor, passes);
    gemShareCell(start + rowBytes, full, parked, written, factor, passes);
    gemShareCell(start + rowBytes + columnBytes, full, parked, written, factor, passes);
    return;
  }
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) gemShareCell(tap, full, parked, written, factor, passes);
    }
  }
}

/** One cell's gradient (gemShareLanes of its t, parked `parked` bytes past it), written `written` bytes past it. */
@inline
function gemShareCell(tap: usize, full: bool, parked: usize, written: usize, factor: v128, passes: v128): void {
  storeLanes(tap + written, gemShareLanes(loadLanes(tap, full), loadLanes(tap + parked, full), factor, passes), full);
}

@inline
function gemFusedChannels(block: usize, start: usize, outIndex: usize, columns: i32, saved: bool): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    gemFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, true, saved);
  }
  for (; channel < group; channel++) {
    gemFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, false, saved);
  }
}

function gemFusedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  gemFusedChannels(block, start, outIndex, columns, false);
}

function gemSavedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  gemFusedChannels(block, start, outIndex, columns, true);
}

/** As gemFusedBackwardRows, from what gemPoolSavingRows kept (same tensors, same p). */
export function gemSavedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, gemSavedWindow);
}

/**
 * Output rows [firstUnit, endUnit) of GeM's backward where no input cell lies in two windows:
 * writes the gradient of every cell some window holds (the caller zeroed the others) and each
 * row's ∂/∂p terms (zeroed by the caller).
 */
export function gemFusedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, gemFusedWindow);
}

/** The statistics of one window's lanes: s (NaN where no gradient passes) and gradOutput·y/T, and its ∂/∂p terms. */
@inline
function gemStatsLanes(block: usize, start: usize, outIndex: usize, columns: i32, channel: i32, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  if (columns == 0) return; // no cell gathers from it
  const power = weightLanes(block, channel, full);
  const y = gemLanes(start, columns, full, power, false, 0);
  storeLanes(stats, v128.or(scale, v128.not(finiteLanes(y))), full);
  storeLanes(stats + plane, computedWindowGradient(block, outIndex, channel, full, power, y), full);
}

function gemStatsWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    gemStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, true);
  }
  for (; channel < group; channel++) {
    gemStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, false);
  }
}

/** Output rows [firstUnit, endUnit): the statistics GeM's gather pass reads, and the rows' ∂/∂p terms. */
export function gemStatsRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, gemStatsWindow);
}

/**
 * cell += gradOutput·y/T · t/c from one window, t = (c/s)^p recomputed from the statistics: NaN
 * only for a window passing no gradient (NaN s), since s is finite and positive elsewhere.
 */
@inline
function gemGatherLanes(block: usize, inIndex: usize, outIndex: usize, channel: i32, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const value = loadLanes(pointer(block, INPUT) + (inIndex << 2), full);
  const clamped = f32x4.pmax(value, f32x4.splat(EPSILON));
  const power = weightLanes(block, channel, full);
  const extreme = loadLanes(stats, full);
  const ratio = f32x4.div(clamped, extreme);
  let logRatio = logLanes(ratio);
  // A subnormal c/s keeps few digits (which a small p magnifies): ln c − ln s there, as gemLanes.
  const tiny = f32x4.lt(ratio, f32x4.splat(SMALLEST_NORMAL));
  if (v128.any_true(tiny)) logRatio = v128.bitselect(f32x4.sub(logLanes(clamped), logLanes(extreme)), logRatio, tiny);
  const term = expWeightLanes(f32x4.mul(power, logRatio)); // p·ln(c/s) ≤ 0: s is the extreme c
  const share = gemShareLanes(value, term, loadLanes(stats + plane, full), f32x4.eq(term, term));
  const cell = pointer(block, GRAD_INPUT) + (inIndex << 2);
  storeLanes(cell, f32x4.add(loadLanes(cell, full), share), full);
}

function gemGatherWindow(block: usize, inIndex: usize, outIndex: usize, cellGroup: i32): void {
  let channel = 0;
  for (; channel + 4 <= cellGroup; channel += 4) gemGatherLanes(block, inIndex + channel, outIndex + channel, channel, true);
  for (; channel < cellGroup; channel++) gemGatherLanes(block, inIndex + channel, outIndex + channel, channel, false);
}

/** Input rows [firstUnit, endUnit) of GeM's gradInput, after gemStatsRows. */
export function gemBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkInputRows(block, firstUnit, endUnit, gemGatherWindow);
}
