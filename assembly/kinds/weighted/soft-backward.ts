// SoftPool's backward (the forward and the shared lane functions: soft.ts): from the forward's kept room,
// fused where windows do not overlap, else statistics then a gather.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes } from '../simd-math';
import { CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { finiteLanes, isFourTaps, loadLanes, storeLanes } from './lanes';
import { walkInputRows, walkOutputRows } from './walks';
import { shift, softFourLanes, softLanes, softShareLanes, total } from './soft';

/** One window's lanes of the backward from a saving forward's room: softFusedLanes' shares, the same bits. */
@inline
function softSavedLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool): void {
  const parked = pointer(block, CELL_SCRATCH) - pointer(block, INPUT);
  const written = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const stats = pointer(block, STATS) + (outIndex << 2);
  const output = loadLanes(stats, full);
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  const scale = f32x4.div(gradient, loadLanes(stats + <usize>word(block, STATS_PLANE_BYTES), full));
  if (isFourTaps(columns)) {
    softSavedCell(start, full, parked, written, scale, output);
    softSavedCell(start + columnBytes, full, parked, written, scale, output);
    softSavedCell(start + rowBytes, full, parked, written, scale, output);
    softSavedCell(start + rowBytes + columnBytes, full, parked, written, scale, output);
    return;
  }
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) softSavedCell(tap, full, parked, written, scale, output);
    }
  }
}

/** One cell's gradient from its weight parked `parked` bytes past it, written `written` bytes past it. */
@inline
function softSavedCell(tap: usize, full: bool, parked: usize, written: usize, scale: v128, output: v128): void {
  storeLanes(tap + written, softShareLanes(loadLanes(tap, full), loadLanes(tap + parked, full), scale, output), full);
}

function softSavedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) softSavedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true);
  for (; channel < group; channel++) softSavedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false);
}

/** As softFusedBackwardRows, from what softPoolSavingRows kept (same input). */
export function softSavedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, softSavedWindow);
}

/** One window's lanes when no other window holds its cells: weights parked, then replaced by shares. */
@inline
function softFusedLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool): void {
  const parked = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const gradient = pointer(block, GRAD_OUTPUT) + (outIndex << 2);
  if (isFourTaps(columns)) {
    softFourLanes(start, full, false, parked, true, gradient);
    return;
  }
  const output = softLanes(start, columns, full, true, parked);
  const scale = f32x4.div(loadLanes(gradient, full), total);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const share = softShareLanes(loadLanes(tap, full), loadLanes(tap + parked, full), scale, output);
        storeLanes(tap + parked, share, full);
      }
    }
  }
}

function softFusedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) softFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true);
  for (; channel < group; channel++) softFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false);
}

/**
 * Output rows [firstUnit, endUnit) of SoftPool's backward where no input cell lies in two windows:
 * writes the gradient of every cell some window holds (the caller zeroed the others).
 */
export function softFusedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, softFusedWindow);
}

/** The statistics of one window's lanes: m (NaN where y is not finite), gradOutput / Σe, y. */
@inline
function softStatsLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool): void {
  const output = softLanes(start, columns, full, false, 0);
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  storeLanes(stats, v128.bitselect(shift, f32x4.splat(NaN), finiteLanes(output)), full);
  storeLanes(stats + plane, f32x4.div(gradient, total), full);
  storeLanes(stats + plane + plane, output, full);
}

function softStatsWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) softStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true);
  for (; channel < group; channel++) softStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false);
}

/** Output rows [firstUnit, endUnit): the statistics SoftPool's gather pass reads. */
export function softStatsRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, softStatsWindow);
}

/** cell += (gradOutput/Σe)·e^{x − m}·(1 + x − y) from one window (m NaN: a window passing no gradient). */
@inline
function softGatherLanes(block: usize, inIndex: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const value = loadLanes(pointer(block, INPUT) + (inIndex << 2), full);
  const weight = expWeightLanes(f32x4.sub(value, loadLanes(stats, full)));
  const share = softShareLanes(value, weight, loadLanes(stats + plane, full), loadLanes(stats + plane + plane, full));
  const cell = pointer(block, GRAD_INPUT) + (inIndex << 2);
  storeLanes(cell, f32x4.add(loadLanes(cell, full), share), full);
}

function softGatherWindow(block: usize, inIndex: usize, outIndex: usize, cellGroup: i32): void {
  let channel = 0;
  for (; channel + 4 <= cellGroup; channel += 4) softGatherLanes(block, inIndex + channel, outIndex + channel, true);
  for (; channel < cellGroup; channel++) softGatherLanes(block, inIndex + channel, outIndex + channel, false);
}

/** Input rows [firstUnit, endUnit) of SoftPool's gradInput, after softStatsRows. */
export function softBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkInputRows(block, firstUnit, endUnit, softGatherWindow);
}
