// LIP's backward (the forward and the shared lane functions: lip.ts): from the forward's kept room,
// fused where windows do not overlap, else statistics then a gather.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expLanes, expWeightLanes } from '../simd-math';
import { CELL_PLANE_BYTES, CELL_SCRATCH, GRAD_LOGITS, LOGITS, STATS, STATS_PLANE_BYTES } from './arguments';
import { loadLanes, storeLanes } from './lanes';
import { walkInputRows, walkOutputRows } from './walks';
import { coefficientLanes, largest, lipLanes, sigmoidOf, total } from './lip';

/** gradLogits' term: share·(x − y)·λσ(1 − σ), with 1 − σ = t·σ (no cancellation for σ near 1), t = e^{−z}. */
@inline
function logitShare(share: v128, value: v128, output: v128, t: v128, coefficient: v128): v128 {
  const sigma = sigmoidOf(t);
  // t = +∞ (σ = 0): 1 − σ is 1, where t·σ would be NaN.
  const complement = v128.bitselect(f32x4.splat(1), f32x4.mul(t, sigma), f32x4.eq(t, f32x4.splat(Infinity)));
  const slope = f32x4.mul(f32x4.mul(coefficient, sigma), complement);
  return f32x4.mul(f32x4.mul(share, f32x4.sub(value, output)), slope);
}

/**
 * One window's lanes when no other window holds its cells: with `saved`, the saving forward's w,
 * e^{−z}, y and Σw read back; else computed anew, w and e^{−z} parked in the gradient cells. Then
 * the gradients written over the gradInput and gradLogits cells.
 */
@inline
function lipFusedLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool, saved: bool): void {
  if (columns == 0) return;
  const input = pointer(block, INPUT);
  const writtenWeight = pointer(block, GRAD_INPUT) - input;
  const writtenGate = pointer(block, GRAD_LOGITS) - input;
  const scratch = pointer(block, CELL_SCRATCH) - input;
  const parkedWeight = saved ? scratch : writtenWeight;
  const parkedGate = saved ? scratch + <usize>word(block, CELL_PLANE_BYTES) : writtenGate;
  const coefficient = coefficientLanes(block);
  const stats = pointer(block, STATS) + (outIndex << 2);
  if (saved) total = loadLanes(stats + <usize>word(block, STATS_PLANE_BYTES), full);
  const y = saved ? loadLanes(stats, full) : lipLanes(block, start, columns, full, true, parkedWeight, parkedGate);
  const scale = f32x4.div(loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full), total);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const share = f32x4.mul(scale, loadLanes(tap + parkedWeight, full));
        const t = loadLanes(tap + parkedGate, full);
        storeLanes(tap + writtenWeight, share, full);
        storeLanes(tap + writtenGate, logitShare(share, loadLanes(tap, full), y, t, coefficient), full);
      }
    }
  }
}

@inline
function lipFusedChannels(block: usize, start: usize, outIndex: usize, columns: i32, saved: bool): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    lipFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true, saved);
  }
  for (; channel < group; channel++) {
    lipFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false, saved);
  }
}

function lipFusedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lipFusedChannels(block, start, outIndex, columns, false);
}

function lipSavedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lipFusedChannels(block, start, outIndex, columns, true);
}

/** As lipFusedBackwardRows, from what lipPoolSavingRows kept (same tensors, same λ). */
export function lipSavedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lipSavedWindow);
}

/**
 * Output rows [firstUnit, endUnit) of LIP's backward where no input cell lies in two windows: writes
 * both gradients of every cell some window holds (the caller zeroed the others).
 */
export function lipFusedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lipFusedWindow);
}

/** One window's statistics: max G, gradOutput/Σw, y. */
@inline
function lipStatsLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool): void {
  if (columns == 0) return; // no cell gathers from it
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const y = lipLanes(block, start, columns, full, false, 0, 0);
  storeLanes(stats, largest, full);
  storeLanes(stats + plane, f32x4.div(loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full), total), full);
  storeLanes(stats + plane + plane, y, full);
}

function lipStatsWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) lipStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true);
  for (; channel < group; channel++) lipStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false);
}

/** Output rows [firstUnit, endUnit): the statistics LIP's gather pass reads. */
export function lipStatsRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lipStatsWindow);
}

/** Both gradients of one cell from one window, w recomputed from the window's max G. */
@inline
function lipGatherLanes(block: usize, inIndex: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const offset = inIndex << 2;
  const coefficient = coefficientLanes(block);
  const t = expLanes(f32x4.neg(loadLanes(pointer(block, LOGITS) + offset, full)));
  const weight = expWeightLanes(f32x4.sub(f32x4.mul(coefficient, sigmoidOf(t)), loadLanes(stats, full)));
  const share = f32x4.mul(loadLanes(stats + plane, full), weight);
  const value = loadLanes(pointer(block, INPUT) + offset, full);
  const logitTerm = logitShare(share, value, loadLanes(stats + plane + plane, full), t, coefficient);
  const cell = pointer(block, GRAD_INPUT) + offset;
  storeLanes(cell, f32x4.add(loadLanes(cell, full), share), full);
  const logitCell = pointer(block, GRAD_LOGITS) + offset;
  storeLanes(logitCell, f32x4.add(loadLanes(logitCell, full), logitTerm), full);
}

function lipGatherWindow(block: usize, inIndex: usize, outIndex: usize, cellGroup: i32): void {
  let channel = 0;
  for (; channel + 4 <= cellGroup; channel += 4) lipGatherLanes(block, inIndex + channel, outIndex + channel, true);
  for (; channel < cellGroup; channel++) lipGatherLanes(block, inIndex + channel, outIndex + channel, false);
}

/** Input rows [firstUnit, endUnit) of LIP's gradients, after lipStatsRows. */
export function lipBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkInputRows(block, firstUnit, endUnit, lipGatherWindow);
}
