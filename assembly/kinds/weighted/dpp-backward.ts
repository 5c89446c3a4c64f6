// Detail-preserving pooling's backward (the forward and the shared lane functions: dpp.ts): from the forward's kept room,
// fused where windows do not overlap, else statistics then a gather.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expLanes } from '../simd-math';
import { CELL_PLANE_BYTES, CELL_SCRATCH, OPTION, STATS, STATS_PLANE_BYTES } from './arguments';
import { addTerms, addToParked, finiteLanes, isFourTaps, loadLanes, perCell, storeLanes } from './lanes';
import { currentUnit, walkInputRows, walkOutputRows } from './walks';
import { alphaLanes, deviation, differenceLanes, dppLanes, lambdaLanes, loadWindowLanes, logBaseLanes, mean, meanError, slopeLanes, total } from './dpp';

// The last dppCellLanes' cᵢ, cᵢ·ρᵢ·Lᵢ/2 and tᵢ (per instance, so per thread).
let alphaTerm: v128 = f32x4.splat(0);
let lambdaTerm: v128 = f32x4.splat(0);
let meanTerm: v128 = f32x4.splat(0);

/**
 * One cell's wₖ/Σw + tₖ (1/Σw: `inverseTotal`), its ρ `reward` and L `knownLog` where `known`, else recomputed; sets
 * lambdaTerm and meanTerm.
 */
@inline
function dppCellLanes(
  value: v128, reward: v128, knownLog: v128, known: bool, average: v128, residual: v128, shift: v128,
  alpha: v128, lambda: v128, inverseTotal: v128, asymmetric: bool,
): v128 {
  const raw = f32x4.sub(f32x4.sub(value, average), residual);
  const difference = differenceLanes(raw, asymmetric);
  const logBase = known ? knownLog : logBaseLanes(difference);
  const rho = known ? reward : expLanes(f32x4.mul(f32x4.mul(lambda, f32x4.splat(0.5)), logBase));
  const coefficient = f32x4.mul(f32x4.sub(raw, shift), inverseTotal);
  alphaTerm = coefficient;
  lambdaTerm = f32x4.mul(f32x4.mul(coefficient, rho), f32x4.mul(logBase, f32x4.splat(0.5)));
  meanTerm = f32x4.mul(coefficient, slopeLanes(difference, lambda, rho));
  return f32x4.add(f32x4.mul(f32x4.add(alpha, rho), inverseTotal), meanTerm);
}

/** Adds g·Σc to α's and g·Σcρ L/2 to λ's float64 terms of the current row (0 where no gradient passes). */
@inline
function addParameterTerms(block: usize, channel: i32, full: bool, alphaSum: v128, lambdaSum: v128, gradient: v128, passes: v128): void {
  const index = <usize>currentUnit * <usize>(2 * group) + <usize>channel;
  addTerms(block, index, full, v128.and(f32x4.mul(gradient, alphaSum), passes));
  addTerms(block, index + <usize>group, full, v128.and(f32x4.mul(gradient, lambdaSum), passes));
}

/**
 * One window's lanes when no other window holds its cells: with `saved`, the saving forward's ρ, L
 * and sums read back; else the window computed anew, ρ parked in the gradInput cells and L in
 * CELL_SCRATCH. Then the gradient written over the gradInput cells.
 */
@inline
function dppFusedLanes(
  block: usize, start: usize, outIndex: usize, columns: i32, channel: i32, full: bool, asymmetric: bool, saved: bool,
): void {
  const written = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const scratch = pointer(block, CELL_SCRATCH) - pointer(block, INPUT);
  const parked = saved ? scratch : written;
  const logParked = saved ? scratch + <usize>word(block, CELL_PLANE_BYTES) : scratch;
  const alpha = alphaLanes(block, channel, full);
  const lambda = lambdaLanes(block, channel, full);
  const y = saved
    ? loadWindowLanes(block, outIndex, full)
    : dppLanes(start, columns, full, alpha, lambda, asymmetric, true, parked, logParked);
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  const passes = finiteLanes(y);
  const average = mean;
  const residual = meanError;
  const shift = deviation;
  const inverseTotal = f32x4.div(f32x4.splat(1), total);
  const scale = v128.and(gradient, passes);
  let alphaSum = f32x4.splat(0);
  let lambdaSum = f32x4.splat(0);
  let meanSum = f32x4.splat(0);
  if (isFourTaps(columns)) {
    // The four taps unrolled (lanes.ts's isFourTaps), each cell stored once with its share through x̃.
    const second = start + columnBytes;
    const third = start + rowBytes;
    const fourth = third + columnBytes;
    const cellA = dppCellLanes(loadLanes(start, full), loadLanes(start + parked, full), loadLanes(start + logParked, full), true, average, residual, shift, alpha, lambda, inverseTotal, asymmetric);
    alphaSum = f32x4.add(alphaSum, alphaTerm);
    lambdaSum = f32x4.add(lambdaSum, lambdaTerm);
    meanSum = f32x4.add(meanSum, meanTerm);
    const cellB = dppCellLanes(loadLanes(second, full), loadLanes(second + parked, full), loadLanes(second + logParked, full), true, average, residual, shift, alpha, lambda, inverseTotal, asymmetric);
    alphaSum = f32x4.add(alphaSum, alphaTerm);
    lambdaSum = f32x4.add(lambdaSum, lambdaTerm);
    meanSum = f32x4.add(meanSum, meanTerm);
    const cellC = dppCellLanes(loadLanes(third, full), loadLanes(third + parked, full), loadLanes(third + logParked, full), true, average, residual, shift, alpha, lambda, inverseTotal, asymmetric);
    alphaSum = f32x4.add(alphaSum, alphaTerm);
    lambdaSum = f32x4.add(lambdaSum, lambdaTerm);
    meanSum = f32x4.add(meanSum, meanTerm);
    const cellD = dppCellLanes(loadLanes(fourth, full), loadLanes(fourth + parked, full), loadLanes(fourth + logParked, full), true, average, residual, shift, alpha, lambda, inverseTotal, asymmetric);
    alphaSum = f32x4.add(alphaSum, alphaTerm);
    lambdaSum = f32x4.add(lambdaSum, lambdaTerm);
    meanSum = f32x4.add(meanSum, meanTerm);
    addParameterTerms(block, channel, full, alphaSum, lambdaSum, gradient, passes);
    const removed = f32x4.neg(v128.and(perCell(f32x4.mul(scale, meanSum), 4), passes));
    storeLanes(start + written, f32x4.add(v128.and(f32x4.mul(scale, cellA), passes), removed), full);
    storeLanes(second + written, f32x4.add(v128.and(f32x4.mul(scale, cellB), passes), removed), full);
    storeLanes(third + written, f32x4.add(v128.and(f32x4.mul(scale, cellC), passes), removed), full);
    storeLanes(fourth + written, f32x4.add(v128.and(f32x4.mul(scale, cellD), passes), removed), full);
    return;
  }
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        const cell = dppCellLanes(value, loadLanes(tap + parked, full), loadLanes(tap + logParked, full), true, average, residual, shift, alpha, lambda, inverseTotal, asymmetric);
        alphaSum = f32x4.add(alphaSum, alphaTerm);
        lambdaSum = f32x4.add(lambdaSum, lambdaTerm);
        meanSum = f32x4.add(meanSum, meanTerm);
        storeLanes(tap + written, v128.and(f32x4.mul(scale, cell), passes), full);
      }
    }
  }
  addParameterTerms(block, channel, full, alphaSum, lambdaSum, gradient, passes);
  // x̃ moves with every cell by 1/n.
  const meanShare = v128.and(perCell(f32x4.mul(scale, meanSum), slices * rows * columns), passes);
  addToParked(start, columns, full, written, f32x4.neg(meanShare));
}

@inline
function dppFusedChannels(block: usize, start: usize, outIndex: usize, columns: i32, saved: bool): void {
  if (columns == 0) return;
  const asymmetric = word(block, OPTION) != 0;
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    dppFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, true, asymmetric, saved);
  }
  for (; channel < group; channel++) {
    dppFusedLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, false, asymmetric, saved);
  }
}

function dppFusedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  dppFusedChannels(block, start, outIndex, columns, false);
}

function dppSavedWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  dppFusedChannels(block, start, outIndex, columns, true);
}

/** As dppFusedBackwardRows, from what dppPoolSavingRows kept (same tensors, same α and λ). */
export function dppSavedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, dppSavedWindow);
}

/**
 * Output rows [firstUnit, endUnit) of DPP's backward where no input cell lies in two windows:
 * writes the gradient of every cell some window holds (the caller zeroed the others) and each
 * row's ∂/∂α and ∂/∂λ terms (zeroed by the caller).
 */
export function dppFusedBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, dppFusedWindow);
}

/** One window's statistics, 5 planes: x̃ (NaN where no gradient passes), D = y − x̃, g/Σw, g·Σt/n, x̃'s rounding; and its ∂/∂α, ∂/∂λ terms. */
@inline
function dppStatsLanes(block: usize, start: usize, outIndex: usize, columns: i32, channel: i32, full: bool, asymmetric: bool): void {
  const alpha = alphaLanes(block, channel, full);
  const lambda = lambdaLanes(block, channel, full);
  const y = dppLanes(start, columns, full, alpha, lambda, asymmetric, false, 0, 0);
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (outIndex << 2), full);
  const passes = finiteLanes(y);
  const average = mean;
  const residual = meanError;
  const shift = deviation;
  const inverseTotal = f32x4.div(f32x4.splat(1), total);
  const unknown = f32x4.splat(0);
  let alphaSum = f32x4.splat(0);
  let lambdaSum = f32x4.splat(0);
  let meanSum = f32x4.splat(0);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        dppCellLanes(value, unknown, unknown, false, average, residual, shift, alpha, lambda, inverseTotal, asymmetric);
        alphaSum = f32x4.add(alphaSum, alphaTerm);
        lambdaSum = f32x4.add(lambdaSum, lambdaTerm);
        meanSum = f32x4.add(meanSum, meanTerm);
      }
    }
  }
  addParameterTerms(block, channel, full, alphaSum, lambdaSum, gradient, passes);
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  storeLanes(stats, v128.or(average, v128.not(passes)), full);
  storeLanes(stats + plane, shift, full);
  storeLanes(stats + 2 * plane, f32x4.mul(gradient, inverseTotal), full);
  storeLanes(stats + 3 * plane, perCell(f32x4.mul(gradient, meanSum), slices * rows * columns), full);
  storeLanes(stats + 4 * plane, residual, full);
}

function dppStatsWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  if (columns == 0) return; // no cell gathers from it
  const asymmetric = word(block, OPTION) != 0;
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    dppStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, true, asymmetric);
  }
  for (; channel < group; channel++) {
    dppStatsLanes(block, start + (<usize>channel << 2), outIndex + channel, columns, channel, false, asymmetric);
  }
}

/** Output rows [firstUnit, endUnit): the statistics DPP's gather pass reads, and the rows' ∂/∂α, ∂/∂λ terms. */
export function dppStatsRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, dppStatsWindow);
}

/** cell += g·(wₖ/Σw + tₖ) − g·Σt/n from one window (NaN x̃: a window passing nothing, adds 0). */
@inline
function dppGatherLanes(block: usize, inIndex: usize, outIndex: usize, channel: i32, full: bool, asymmetric: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const value = loadLanes(pointer(block, INPUT) + (inIndex << 2), full);
  const average = loadLanes(stats, full);
  const shift = loadLanes(stats + plane, full);
  const residual = loadLanes(stats + 4 * plane, full);
  const scale = loadLanes(stats + 2 * plane, full);
  const alpha = alphaLanes(block, channel, full);
  const lambda = lambdaLanes(block, channel, full);
  // With Σw folded into scale: (wₖ + tₖΣw)·g/Σw, tₖΣw = (xₖ − y)·λρ/(d + ε²/d).
  const cell = dppCellLanes(value, f32x4.splat(0), f32x4.splat(0), false, average, residual, shift, alpha, lambda, f32x4.splat(1), asymmetric);
  const share = f32x4.sub(f32x4.mul(scale, cell), loadLanes(stats + 3 * plane, full));
  const kept = v128.and(share, f32x4.eq(average, average));
  const target = pointer(block, GRAD_INPUT) + (inIndex << 2);
  storeLanes(target, f32x4.add(loadLanes(target, full), kept), full);
}

function dppGatherWindow(block: usize, inIndex: usize, outIndex: usize, cellGroup: i32): void {
  const asymmetric = word(block, OPTION) != 0;
  let channel = 0;
  for (; channel + 4 <= cellGroup; channel += 4) dppGatherLanes(block, inIndex + channel, outIndex + channel, channel, true, asymmetric);
  for (; channel < cellGroup; channel++) dppGatherLanes(block, inIndex + channel, outIndex + channel, channel, false, asymmetric);
}

/** Input rows [firstUnit, endUnit) of DPP's gradInput, after dppStatsRows. */
export function dppBackwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkInputRows(block, firstUnit, endUnit, dppGatherWindow);
}
