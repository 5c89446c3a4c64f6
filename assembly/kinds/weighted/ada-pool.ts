// AdaPool (reference ada-pool.ts): y = β·A + (1 − β)·M over each window's in-bounds cells, A the
// Dice–Sørensen-weighted mean (weights e^{DSC(xᵢ, ā)}, ā the plain mean) and M SoftPool's mean
// (weights e^{xᵢ − m}, m the max), in float32 with expWeightLanes. β: one value, or one per output cell
// (all its channels). A window holding NaN or ±∞ gives NaN and passes NaN to its cells and β.
// Backward as SoftPool's (soft.ts): fused where windows do not overlap, else statistics then a
// gather; each window's ∂/∂β = g·(A − M), summed over its channels, goes to a float64 term per
// output cell, summed per β on the TypeScript side.
import { INPUT, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { spatialSize } from '../../pool/rows';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes } from '../simd-math';
import { CELL_PLANE_BYTES, CELL_SCRATCH, PER_CHANNEL, STATS, STATS_PLANE_BYTES, WEIGHTS } from './arguments';
import { finiteLanes, isFourTaps, loadLanes, perCell, storeLanes, weightedTerm } from './lanes';
import { walkOutputRows } from './walks';

/** 2⁻¹²⁶, the smallest normal float32: DSC's scale is at least this, so its inverse stays finite. */
const SCALE_FLOOR: f32 = 1.17549435e-38;

// The last window's ā, m, Σe^DSC, A, Σe^{x−m}, M and its non-finite lanes (per instance, so per thread).
export let mean: v128 = f32x4.splat(0);
export let largest: v128 = f32x4.splat(0);
export let diceTotal: v128 = f32x4.splat(0);
export let diceMean: v128 = f32x4.splat(0);
export let softTotal: v128 = f32x4.splat(0);
export let softMean: v128 = f32x4.splat(0);
export let broken: v128 = f32x4.splat(0);

// The last diceLanes' 1/s and its scaled slopes: ∂DSC/∂x = inverse·cellSlope, ∂DSC/∂ā = inverse·meanSlope.
export let inverse: v128 = f32x4.splat(0);
export let cellSlope: v128 = f32x4.splat(0);
export let meanSlope: v128 = f32x4.splat(0);

/**
 * DSC(x, ā) = 2xā/(x² + ā²), 1 where both are 0, computed on x/s and ā/s with s = max(|x|, |ā|) so
 * that no square overflows or underflows; with `slopes`, sets inverse, cellSlope and meanSlope.
 */
@inline
export function diceLanes(x: v128, average: v128, slopes: bool): v128 {
  const scale = f32x4.pmax(f32x4.abs(x), f32x4.abs(average));
  const zero = f32x4.eq(scale, f32x4.splat(0));
  const scaleInverse = f32x4.div(f32x4.splat(1), f32x4.pmax(scale, f32x4.splat(SCALE_FLOOR)));
  const a = f32x4.mul(x, scaleInverse);
  const b = f32x4.mul(average, scaleInverse);
  const aa = f32x4.mul(a, a);
  const bb = f32x4.mul(b, b);
  const reciprocal = f32x4.div(f32x4.splat(1), f32x4.add(aa, bb));
  if (slopes) {
    const factor = f32x4.mul(f32x4.splat(2), f32x4.mul(reciprocal, reciprocal));
    const difference = f32x4.sub(bb, aa);
    inverse = scaleInverse;
    cellSlope = v128.andnot(f32x4.mul(factor, f32x4.mul(b, difference)), zero);
    meanSlope = v128.andnot(f32x4.neg(f32x4.mul(factor, f32x4.mul(a, difference))), zero);
  }
  const dice = f32x4.mul(f32x4.mul(f32x4.splat(2), f32x4.mul(a, b)), reciprocal);
  return v128.bitselect(f32x4.splat(1), dice, zero);
}

// The last adaCellWeights' e^{x − m} term (as weightedTerm) (per instance, so per thread).
let cellSoftTerm: v128 = f32x4.splat(0);
let cellSoftWeight: v128 = f32x4.splat(0);

/**
 * One cell's e^DSC (returned) and e^{x − m} (cellSoftWeight, its term in cellSoftTerm), parked when
 * `park`. Both exponents are at most 1 (DSC ≤ 1, x ≤ m), so expWeightLanes serves: its 0 for e^x under
 * 2⁻¹²⁶ only drops a subnormal e^{x − m} beside the max's 1.
 */
@inline
function adaCellWeights(tap: usize, value: v128, average: v128, top: v128, full: bool, park: bool, parked: usize, softParked: usize): v128 {
  const diceWeight = expWeightLanes(diceLanes(value, average, false));
  const offset = f32x4.sub(value, top);
  const softWeight = expWeightLanes(offset);
  if (park) {
    storeLanes(tap + parked, diceWeight, full);
    storeLanes(tap + softParked, softWeight, full);
  }
  cellSoftWeight = softWeight;
  cellSoftTerm = weightedTerm(softWeight, offset);
  return diceWeight;
}

/**
 * y of one window's lanes with blend β; sets the window globals. An empty window gives 0, one
 * holding NaN or ±∞ NaN. With `park`, each cell's e^DSC is stored `parked` bytes past it and its
 * e^{x − m} `softParked` bytes past it.
 */
@inline
export function adaLanes(start: usize, columns: i32, full: bool, blend: v128, park: bool, parked: usize, softParked: usize): v128 {
  if (isFourTaps(columns)) return adaFourLanes(start, full, blend, park, parked, softParked);
  const zero = f32x4.splat(0);
  let sum = zero;
  let top = f32x4.splat(-Infinity);
  let bad = zero;
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        sum = f32x4.add(sum, value);
        top = f32x4.pmax(top, value);
        bad = v128.or(bad, v128.not(finiteLanes(value)));
      }
    }
  }
  // Σx/n as the reference: an exact Σ = 0 (a window of ReLU zeros, say) keeps ā = 0, where DSC jumps.
  const average = perCell(sum, slices * rows * columns);
  let diceSum = zero;
  let diceWeighted = zero;
  let softSum = zero;
  let softWeighted = zero;
  slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        const diceWeight = adaCellWeights(tap, value, average, top, full, park, parked, softParked);
        diceSum = f32x4.add(diceSum, diceWeight);
        diceWeighted = f32x4.add(diceWeighted, f32x4.mul(diceWeight, value));
        softSum = f32x4.add(softSum, cellSoftWeight);
        softWeighted = f32x4.add(softWeighted, cellSoftTerm);
      }
    }
  }
  if (columns == 0) {
    setWindow(average, top, bad, diceSum, diceWeighted, softSum, softWeighted);
    return zero;
  }
  return adaOutput(average, top, bad, diceSum, diceWeighted, softSum, softWeighted, blend);
}

/**
 * adaLanes of a 2×2 window (isFourTaps), its four taps unrolled: the same sums in the same order, so
 * the same bits (the general walk's loops cost as much as a tap's work, see lanes.ts).
 */
@inline
function adaFourLanes(start: usize, full: bool, blend: v128, park: bool, parked: usize, softParked: usize): v128 {
  const second = start + columnBytes;
  const third = start + rowBytes;
  const fourth = third + columnBytes;
  const a = loadLanes(start, full);
  const b = loadLanes(second, full);
  const c = loadLanes(third, full);
  const d = loadLanes(fourth, full);
  const sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.splat(0), a), b), c), d);
  const top = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.splat(-Infinity), a), b), c), d);
  const finite = v128.and(v128.and(finiteLanes(a), finiteLanes(b)), v128.and(finiteLanes(c), finiteLanes(d)));
  const average = perCell(sum, 4);
  const weightA = adaCellWeights(start, a, average, top, full, park, parked, softParked);
  let softSum = cellSoftWeight;
  let softWeighted = cellSoftTerm;
  let diceWeighted = f32x4.mul(weightA, a);
  const weightB = adaCellWeights(second, b, average, top, full, park, parked, softParked);
  softSum = f32x4.add(softSum, cellSoftWeight);
  softWeighted = f32x4.add(softWeighted, cellSoftTerm);
  diceWeighted = f32x4.add(diceWeighted, f32x4.mul(weightB, b));
  const weightC = adaCellWeights(third, c, average, top, full, park, parked, softParked);
  softSum = f32x4.add(softSum, cellSoftWeight);
  softWeighted = f32x4.add(softWeighted, cellSoftTerm);
  diceWeighted = f32x4.add(diceWeighted, f32x4.mul(weightC, c));
  const weightD = adaCellWeights(fourth, d, average, top, full, park, parked, softParked);
  softSum = f32x4.add(softSum, cellSoftWeight);
  softWeighted = f32x4.add(softWeighted, cellSoftTerm);
  diceWeighted = f32x4.add(diceWeighted, f32x4.mul(weightD, d));
  const diceSum = f32x4.add(f32x4.add(f32x4.add(weightA, weightB), weightC), weightD);
  return adaOutput(average, top, v128.not(finite), diceSum, diceWeighted, softSum, softWeighted, blend);
}

/** Sets the window globals from one window's sums. */
@inline
function setWindow(average: v128, top: v128, bad: v128, diceSum: v128, diceWeighted: v128, softSum: v128, softWeighted: v128): void {
  mean = average;
  largest = top;
  broken = bad;
  diceTotal = diceSum;
  softTotal = softSum;
  diceMean = f32x4.div(diceWeighted, diceSum);
  softMean = f32x4.add(top, f32x4.div(softWeighted, softSum));
}

/** setWindow, then y = β·A + (1 − β)·M (NaN for a window holding NaN or ±∞). */
@inline
function adaOutput(
  average: v128, top: v128, bad: v128, diceSum: v128, diceWeighted: v128, softSum: v128, softWeighted: v128, blend: v128,
): v128 {
  setWindow(average, top, bad, diceSum, diceWeighted, softSum, softWeighted);
  const y = f32x4.add(f32x4.mul(blend, diceMean), f32x4.mul(f32x4.sub(f32x4.splat(1), blend), softMean));
  return v128.or(y, bad); // all ones: NaN
}

/** β of the window whose channel-0 output element is `outIndex`: one value, or its output cell's. */
@inline
export function blendLanes(block: usize, outIndex: usize): v128 {
  const weights = pointer(block, WEIGHTS);
  if (!word(block, PER_CHANNEL)) return f32x4.splat(load<f32>(weights));
  const cell = (outIndex / <usize>group) % <usize>spatialSize(block, OUT_SIZE);
  return f32x4.splat(load<f32>(weights + (cell << 2)));
}

function adaForwardWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const blend = blendLanes(block, outIndex);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    storeLanes(output + offset, adaLanes(start + offset, columns, true, blend, false, 0, 0), true);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    storeLanes(output + offset, adaLanes(start + offset, columns, false, blend, false, 0, 0), false);
  }
}

/** Output rows [firstUnit, endUnit) of AdaPool's forward. */
export function adaPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, adaForwardWindow);
}

/** The planes a saving forward keeps at STATS: ā (NaN for a broken window), A, M, Σe^DSC, Σe^{x−m}. */
@inline
function saveWindowLanes(block: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  storeLanes(stats, v128.or(mean, broken), full);
  storeLanes(stats + plane, diceMean, full);
  storeLanes(stats + 2 * plane, softMean, full);
  storeLanes(stats + 3 * plane, diceTotal, full);
  storeLanes(stats + 4 * plane, softTotal, full);
}

/** The saved planes back into the window globals (adaLanes' results). */
@inline
export function loadWindowLanes(block: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  const average = loadLanes(stats, full);
  mean = average;
  broken = f32x4.ne(average, average);
  diceMean = loadLanes(stats + plane, full);
  softMean = loadLanes(stats + 2 * plane, full);
  diceTotal = loadLanes(stats + 3 * plane, full);
  softTotal = loadLanes(stats + 4 * plane, full);
}

function adaSavingWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const blend = blendLanes(block, outIndex);
  const diceParked = pointer(block, CELL_SCRATCH) - pointer(block, INPUT);
  const softParked = diceParked + <usize>word(block, CELL_PLANE_BYTES);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    storeLanes(output + offset, adaLanes(start + offset, columns, true, blend, true, diceParked, softParked), true);
    saveWindowLanes(block, outIndex + channel, true);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    storeLanes(output + offset, adaLanes(start + offset, columns, false, blend, true, diceParked, softParked), false);
    saveWindowLanes(block, outIndex + channel, false);
  }
}

/**
 * Output rows [firstUnit, endUnit) of AdaPool's forward where no input cell lies in two windows,
 * keeping for adaSavedBackwardRows each cell's e^DSC and e^{x−m} (two planes at CELL_SCRATCH) and
 * each window's sums (saveWindowLanes).
 */
export function adaPoolSavingRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, adaSavingWindow);
}
