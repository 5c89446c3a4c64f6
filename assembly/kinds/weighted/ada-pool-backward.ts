// AdaPool's backward (the forward and the shared lane functions: ada-pool.ts): from the forward's kept room,
// fused where windows do not overlap, else statistics then a gather.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes } from '../simd-math';
import { CELL_PLANE_BYTES, CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { addTermSum, addToParked, isFourTaps, loadLanes, perCell, storeLanes } from './lanes';
import { walkInputRows, walkOutputRows } from './walks';
import { adaLanes, blendLanes, broken, cellSlope, diceLanes, diceMean, diceTotal, inverse, largest, loadWindowLanes, mean, meanSlope, softMean, softTotal } from './ada-pool';

/**
 * After adaLanes: adds g·(A − M) (NaN for a broken window) to the β term of the window's output
 * cell; returns g·β/Σe^DSC and sets `softScale` to g·(1 − β)/Σe^{x−m}.
 */
let softScale: v128 = f32x4.splat(0);

@inline
function adaWindowGradient(block: usize, outIndex: usize, full: bool, blend: v128): v128 {
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  const betaTerm = v128.or(f32x4.mul(gradient, f32x4.sub(diceMean, softMean)), broken);
  addTermSum(block, outIndex / <usize>group, full, betaTerm);
  softScale = f32x4.div(f32x4.mul(gradient, f32x4.sub(f32x4.splat(1), blend)), softTotal);
  return f32x4.div(f32x4.mul(gradient, blend), diceTotal);
}

/**
 * One cell's gradient but the share through ā: diceScale·e^DSC·(1 + (x − A)·∂₁DSC) +
 * softScale·e^{x−m}·(1 + x − M); sets `meanTerm` to e^DSC·(x − A)·∂₂DSC, its part of that share.
 */
let meanTerm: v128 = f32x4.splat(0);

@inline
function adaCellLanes(
  value: v128, diceWeight: v128, softWeight: v128, dice: v128, soft: v128, average: v128, diceScale: v128, scale: v128,
): v128 {
  diceLanes(value, average, true);
  const relative = f32x4.mul(f32x4.sub(value, dice), inverse);
  meanTerm = f32x4.mul(diceWeight, f32x4.mul(relative, meanSlope));
  const own = f32x4.mul(diceScale, f32x4.mul(diceWeight, f32x4.add(f32x4.splat(1), f32x4.mul(relative, cellSlope))));
  const softShare = f32x4.mul(scale, f32x4.mul(softWeight, f32x4.add(f32x4.splat(1), f32x4.sub(value, soft))));
  return f32x4.add(own, v128.and(softShare, f32x4.gt(softWeight, f32x4.splat(0))));
}

/**
 * One window's lanes when no other window holds its cells: with `saved`, the saving forward's
 * weights and sums read back; else the window computed anew, e^DSC parked in the gradInput cells
 * and e^{x−m} in CELL_SCRATCH. Then the gradient written over the gradInput cells.
 */
@inline
function adaFusedLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool, blend: v128, saved: bool): void {
  const written = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const scratch = pointer(block, CELL_SCRATCH) - pointer(block, INPUT);
  const parked = saved ? scratch : written;
  const softParked = saved ? scratch + <usize>word(block, CELL_PLANE_BYTES) : scratch;
  if (saved) loadWindowLanes(block, outIndex, full);
  else adaLanes(start, columns, full, blend, true, parked, softParked);
  const diceScale = adaWindowGradient(block, outIndex, full, blend);
  const scale = softScale;
  const average = mean;
  const dice = diceMean;
  const soft = softMean;
  let shared = f32x4.splat(0);
  if (isFourTaps(columns)) {
    // The four taps unrolled (lanes.ts's isFourTaps), each cell stored once with its share through ā.
    const second = start + columnBytes;
    const third = start + rowBytes;
    const fourth = third + columnBytes;
    const cellA = adaCellLanes(loadLanes(start, full), loadLanes(start + parked, full), loadLanes(start + softParked, full), dice, soft, average, diceScale, scale);
    shared = f32x4.add(shared, meanTerm);
    const cellB = adaCellLanes(loadLanes(second, full), loadLanes(second + parked, full), loadLanes(second + softParked, full), dice, soft, average, diceScale, scale);
    shared = f32x4.add(shared, meanTerm);
    const cellC = adaCellLanes(loadLanes(third, full), loadLanes(third + parked, full), loadLanes(third + softParked, full), dice, soft, average, diceScale, scale);
    shared = f32x4.add(shared, meanTerm);
    const cellD = adaCellLanes(loadLanes(fourth, full), loadLanes(fourth + parked, full), loadLanes(fourth + softParked, full), dice, soft, average, diceScale, scale);
    shared = f32x4.add(shared, meanTerm);
    const added = v128.or(perCell(f32x4.mul(diceScale, shared), 4), broken);
    storeLanes(start + written, f32x4.add(cellA, added), full);
    storeLanes(second + written, f32x4.add(cellB, added), full);
    storeLanes(third + written, f32x4.add(cellC, added), full);
    storeLanes(fourth + written, f32x4.add(cellD, added), full);
    return;
  }
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        const diceWeight = loadLanes(tap + parked, full);
        const softWeight = loadLanes(tap + softParked, full);
        const cell = adaCellLanes(value, diceWeight, softWeight, dice, soft, average, diceScale, scale);
        shared = f32x4.add(shared, meanTerm);
        storeLanes(tap + written, cell, full);
      }
    }
  }
  // ā moves with every cell by 1/n; a broken window's cells all get NaN.
  const added = v128.or(perCell(f32x4.mul(diceScale, shared), slices * rows * columns), broken);
  addToParked(start, columns, full, written, added);
}

@inline
function adaFusedChannels(block: usize, start: usize, outIndex: usize, columns: i32, saved: bool): void {
  if (columns == 0) return;
  const blend = blendLanes(block, outIndex);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    adaFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true, blend, saved);
  }
  for (; channel < group; channel++) {
    adaFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false, blend, saved);
  }
}

function adaFusedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  adaFusedChannels(block, start, outIndex, columns, false);
}

function adaSavedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  adaFusedChannels(block, start, outIndex, columns, true);
}

/** As adaFusedBackwardRows, from what adaPoolSavingRows kept (same tensors, same β). */
export function adaSavedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, adaSavedWindow);
}

/**
 * Output rows [firstUnit, endUnit) of AdaPool's backward where no input cell lies in two windows:
 * writes the gradient of every cell some window holds (the caller zeroed the others) and each
 * output cell's ∂/∂β term (zeroed by the caller).
 */
export function adaFusedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, adaFusedWindow);
}

/**
 * One window's statistics, 7 planes: ā (NaN for a broken window), m, A, M, g·β/Σe^DSC,
 * g·(1 − β)/Σe^{x−m} and the share through ā; and its ∂/∂β term.
 */
@inline
function adaStatsLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool, blend: v128): void {
  adaLanes(start, columns, full, blend, false, 0, 0);
  const diceScale = adaWindowGradient(block, outIndex, full, blend);
  const average = mean;
  let shared = f32x4.splat(0);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        const diceWeight = expWeightLanes(diceLanes(value, average, true));
        const relative = f32x4.mul(f32x4.sub(value, diceMean), inverse);
        shared = f32x4.add(shared, f32x4.mul(diceWeight, f32x4.mul(relative, meanSlope)));
      }
    }
  }
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  storeLanes(stats, v128.or(average, broken), full);
  storeLanes(stats + plane, largest, full);
  storeLanes(stats + 2 * plane, diceMean, full);
  storeLanes(stats + 3 * plane, softMean, full);
  storeLanes(stats + 4 * plane, diceScale, full);
  storeLanes(stats + 5 * plane, softScale, full);
  storeLanes(stats + 6 * plane, perCell(f32x4.mul(diceScale, shared), slices * rows * columns), full);
}

function adaStatsWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  if (columns == 0) return; // no cell gathers from it
  const blend = blendLanes(block, outIndex);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) adaStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, true, blend);
  for (; channel < group; channel++) adaStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, false, blend);
}

/** Output rows [firstUnit, endUnit): the statistics AdaPool's gather pass reads, and the ∂/∂β terms. */
export function adaStatsRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, adaStatsWindow);
}

/** cell += its gradient from one window, from the window's statistics (NaN ā: NaN). */
@inline
function adaGatherLanes(block: usize, inIndex: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const value = loadLanes(pointer(block, INPUT) + (inIndex << 2), full);
  const average = loadLanes(stats, full);
  const diceWeight = expWeightLanes(diceLanes(value, average, false));
  const softWeight = expWeightLanes(f32x4.sub(value, loadLanes(stats + plane, full)));
  const dice = loadLanes(stats + 2 * plane, full);
  const soft = loadLanes(stats + 3 * plane, full);
  const diceScale = loadLanes(stats + 4 * plane, full);
  const scale = loadLanes(stats + 5 * plane, full);
  const share = adaCellLanes(value, diceWeight, softWeight, dice, soft, average, diceScale, scale);
  const total = f32x4.add(share, v128.or(loadLanes(stats + 6 * plane, full), f32x4.ne(average, average)));
  const cell = pointer(block, GRAD_INPUT) + (inIndex << 2);
  storeLanes(cell, f32x4.add(loadLanes(cell, full), total), full);
}

function adaGatherWindow(block: usize, inIndex: usize, outIndex: usize, cellGroup: i32): void {
  let channel = 0;
  for (; channel + 4 <= cellGroup; channel += 4) adaGatherLanes(block, inIndex + channel, outIndex + channel, true);
  for (; channel < cellGroup; channel++) adaGatherLanes(block, inIndex + channel, outIndex + channel, false);
}

/** Input rows [firstUnit, endUnit) of AdaPool's gradInput, after adaStatsRows. */
export function adaBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkInputRows(block, firstUnit, endUnit, adaGatherWindow);
}
