// GeM pooling (reference gem-pool.ts): y = s·(mean tᵢ)^(1/p) with tᵢ = (cᵢ/s)^p = e^{p·ln(cᵢ/s)},
// cᵢ = max(xᵢ, ε), s the window's largest c (smallest for p < 0), in float32 with expWeightLanes and
// logShortLanes (logLanes where c/s may be subnormal). With T = Σt and lᵢ = ln(cᵢ/s), the reference's gradients become ∂y/∂xᵢ = y·tᵢ/(cᵢ·T)
// (xᵢ ≥ ε) and ∂y/∂p = (y/p)·(Σtᵢlᵢ/T − ln(T/n)/p), so a window's tᵢ serve both passes. Backward
// as SoftPool's (soft.ts): fused where windows do not overlap, else statistics (s, gradOutput·y/T)
// then a gather; each row's ∂/∂p terms go to float64 per channel, summed on the TypeScript side.
// A training forward over windows that do not overlap keeps each t and each window's y, y/T and
// ∂y/∂p for the backward (src/pooling/kinds/forward-keep.ts), as AdaPool's does (ada-pool.ts).
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expLanes, expWeightLanes, logLanes, logPositiveLanes, logShortLanes } from '../simd-math';
import { CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { finiteLanes, isFourTaps, loadLanes, perCell, rangeLargest, rangeNaN, rangeSmallest, saveWindowPair, storeFourTaps, storeLanes, weightedTerm, weightLanes, windowRange } from './lanes';
import { walkOutputRows } from './walks';

/** The smallest normal float32, 2^−126. */
export const SMALLEST_NORMAL: f32 = 1.17549435e-38;

/** The clamp's floor, 1e-6 in float32 (GEM_EPSILON). */
export const EPSILON: f32 = 1e-6;

/** The largest c of a window whose ratios c/s logPositiveLanes takes (ε/10³⁰ is still normal). */
const ORDINARY_LIMIT: f32 = 1e30;

/** Whether the last windowScale's window is ordinary (per instance, so per thread). */
let ordinary: bool = false;

// The last window's s, T = Σt and Σt·l (per instance, so per thread).
export let scale: v128 = f32x4.splat(0);
export let total: v128 = f32x4.splat(0);
let logTotal: v128 = f32x4.splat(0);

/**
 * s: the lane-wise largest c where p > 0, the smallest where p < 0; NaN where a cell is NaN. Sets
 * `ordinary` where the window's ratios c/s need none of ln's special cases.
 */
@inline
function windowScale(start: usize, columns: i32, full: bool, power: v128): v128 {
  windowRange(start, columns, full, EPSILON);
  const largest = rangeLargest;
  // Every c at most 10³⁰ (no NaN, no ∞): each c/s lies in [10⁻³⁶, 10³⁶], positive, normal and finite.
  ordinary = i32x4.all_true(f32x4.le(largest, f32x4.splat(ORDINARY_LIMIT)));
  return v128.or(v128.bitselect(largest, rangeSmallest, f32x4.gt(power, f32x4.splat(0))), rangeNaN);
}

/**
 * Sums each cell's t and t·l (into termSum, termLogSum); with `park`, t is stored `parked` bytes
 * past the cell. An ordinary window takes l = ln(c·(1/s)) without ln's special cases; another
 * (`special`) l = ln c − ln s (`logScale`), since 1/s or c/s may be subnormal, keeping few digits.
 * The sums run in locals (V8 keeps a module's globals in memory), stored once per window.
 */
@inline
function sumTerms(
  start: usize, columns: i32, full: bool, power: v128, inverse: v128, park: bool, parked: usize, special: bool, logScale: v128,
): void {
  if (isFourTaps(columns)) {
    const ratioA = cellLogRatio(start, full, inverse, special, logScale);
    const ratioB = cellLogRatio(start + columnBytes, full, inverse, special, logScale);
    const ratioC = cellLogRatio(start + rowBytes, full, inverse, special, logScale);
    const ratioD = cellLogRatio(start + rowBytes + columnBytes, full, inverse, special, logScale);
    const termA = expWeightLanes(f32x4.mul(power, ratioA)); // p·ln(c/s) ≤ 0: s is the extreme c
    const termB = expWeightLanes(f32x4.mul(power, ratioB));
    const termC = expWeightLanes(f32x4.mul(power, ratioC));
    const termD = expWeightLanes(f32x4.mul(power, ratioD));
    if (park) {
      storeLanes(start + parked, termA, full);
      storeLanes(start + columnBytes + parked, termB, full);
      storeLanes(start + rowBytes + parked, termC, full);
      storeLanes(start + rowBytes + columnBytes + parked, termD, full);
    }
    termSum = f32x4.add(f32x4.add(f32x4.add(termA, termB), termC), termD);
    termLogSum = f32x4.add(
      f32x4.add(f32x4.add(weightedTerm(termA, ratioA), weightedTerm(termB, ratioB)), weightedTerm(termC, ratioC)),
      weightedTerm(termD, ratioD),
    );
    return;
  }
  let sum = f32x4.splat(0);
  let logSum = sum;
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const logRatio = cellLogRatio(tap, full, inverse, special, logScale);
        const term = expWeightLanes(f32x4.mul(power, logRatio));
        if (park) storeLanes(tap + parked, term, full);
        sum = f32x4.add(sum, term);
        logSum = f32x4.add(logSum, weightedTerm(term, logRatio));
      }
    }
  }
  termSum = sum;
  termLogSum = logSum;
}

/** One cell's l = ln(c/s), c = max(x, ε) (sumTerms' two ways). */
@inline
function cellLogRatio(tap: usize, full: bool, inverse: v128, special: bool, logScale: v128): v128 {
  const clamped = f32x4.pmax(loadLanes(tap, full), f32x4.splat(EPSILON));
  return special ? f32x4.sub(logLanes(clamped), logScale) : logShortLanes(f32x4.mul(clamped, inverse));
}

let termSum: v128 = f32x4.splat(0);
let termLogSum: v128 = f32x4.splat(0);
/** The last window's ln(T/n)/p (per instance, so per thread). */
let meanLog: v128 = f32x4.splat(0);

/**
 * y of one window's lanes; sets scale, total and logTotal. An empty window gives 0. With `park`,
 * each cell's t is stored `parked` bytes past it (in its gradInput cell, or the forward's room).
 */
@inline
export function gemLanes(start: usize, columns: i32, full: bool, power: v128, park: bool, parked: usize): v128 {
  const zero = f32x4.splat(0);
  const s = windowScale(start, columns, full, power);
  // One division per window: c·(1/s) is within an ulp of c/s, and x86 divides slowly.
  const inverse = f32x4.div(f32x4.splat(1), s);
  if (ordinary) sumTerms(start, columns, full, power, inverse, park, parked, false, zero);
  else sumTerms(start, columns, full, power, inverse, park, parked, true, logLanes(s));
  const sum = termSum;
  scale = s;
  total = sum;
  logTotal = termLogSum;
  if (columns == 0) return zero;
  // T/n lies in [1/n, 1] (the extreme cell's t is 1) wherever s is finite: ln needs no special case.
  meanLog = f32x4.div(logPositiveLanes(perCell(sum, slices * rows * columns)), power);
  const root = expLanes(meanLog);
  // An infinite (or NaN) s is the output itself, as the reference returns it before the sum.
  return v128.bitselect(f32x4.mul(s, root), s, finiteLanes(s));
}

/**
 * The planes a saving forward keeps at STATS, after gemLanes: y, y/T and (y/p)·(Σt·l/T − ln(T/n)/p),
 * so that the backward's window factors (gemWindowGradient) are one product each.
 */
@inline
function saveWindowLanes(block: usize, outIndex: usize, full: bool, y: v128, power: v128): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  storeLanes(stats, y, full);
  storeLanes(stats + plane, f32x4.div(y, total), full);
  storeLanes(stats + 2 * plane, powerFactor(y, power), full);
}

/** (y/p)·(Σt·l/T − ln(T/n)/p) of the last gemLanes' window: ∂y/∂p. */
@inline
export function powerFactor(y: v128, power: v128): v128 {
  return f32x4.mul(f32x4.div(y, power), f32x4.sub(f32x4.div(logTotal, total), meanLog));
}

/** One window's outputs, all channels; with `saving`, t parked at CELL_SCRATCH and the sums kept. */
@inline
function gemForwardChannels(block: usize, start: usize, outIndex: usize, columns: i32, saving: bool): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const parked = saving ? pointer(block, CELL_SCRATCH) - pointer(block, INPUT) : 0;
  let channel = 0;
  if (saving && isFourTaps(columns)) {
    for (; channel + 8 <= group; channel += 8) {
      if (!gemSavingPair(block, start, outIndex, channel, parked)) break;
    }
  }
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const y = gemLanes(start + offset, columns, true, weightLanes(block, channel, true), saving, parked);
    storeLanes(output + offset, y, true);
    if (saving) saveWindowLanes(block, outIndex + channel, true, y, weightLanes(block, channel, true));
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const y = gemLanes(start + offset, columns, false, weightLanes(block, channel, false), saving, parked);
    storeLanes(output + offset, y, false);
    if (saving) saveWindowLanes(block, outIndex + channel, false, y, weightLanes(block, channel, false));
  }
}

/**
 * A saving forward's two channel quads [channel, channel + 8) of a 2×2 window side by side, when
 * both are ordinary (else nothing is written and false returned): gemLanes and saveWindowLanes'
 * steps, the same bits, the two quads' ln and e^x interleaved. A quad's chain (its scale's division,
 * then each cell's ln and e^x) is long and its four cells are all the processor can overlap; two
 * quads give it eight independent chains.
 */
@inline
function gemSavingPair(block: usize, start: usize, outIndex: usize, channel: i32, parked: usize): bool {
  const first = start + (<usize>channel << 2);
  const second = first + 16;
  const power = weightLanes(block, channel, true);
  const nextPower = weightLanes(block, channel + 4, true);
  const s = windowScale(first, 2, true, power);
  if (!ordinary) return false;
  const nextS = windowScale(second, 2, true, nextPower);
  if (!ordinary) return false;
  const inverse = f32x4.div(f32x4.splat(1), s);
  const nextInverse = f32x4.div(f32x4.splat(1), nextS);
  const zero = f32x4.splat(0);
  const right = columnBytes;
  const down = rowBytes;
  const ratioA = cellLogRatio(first, true, inverse, false, zero);
  const nextRatioA = cellLogRatio(second, true, nextInverse, false, zero);
  const ratioB = cellLogRatio(first + right, true, inverse, false, zero);
  const nextRatioB = cellLogRatio(second + right, true, nextInverse, false, zero);
  const ratioC = cellLogRatio(first + down, true, inverse, false, zero);
  const nextRatioC = cellLogRatio(second + down, true, nextInverse, false, zero);
  const ratioD = cellLogRatio(first + down + right, true, inverse, false, zero);
  const nextRatioD = cellLogRatio(second + down + right, true, nextInverse, false, zero);
  const termA = expWeightLanes(f32x4.mul(power, ratioA));
  const nextTermA = expWeightLanes(f32x4.mul(nextPower, nextRatioA));
  const termB = expWeightLanes(f32x4.mul(power, ratioB));
  const nextTermB = expWeightLanes(f32x4.mul(nextPower, nextRatioB));
  const termC = expWeightLanes(f32x4.mul(power, ratioC));
  const nextTermC = expWeightLanes(f32x4.mul(nextPower, nextRatioC));
  const termD = expWeightLanes(f32x4.mul(power, ratioD));
  const nextTermD = expWeightLanes(f32x4.mul(nextPower, nextRatioD));
  storeFourTaps(first + parked, right, down, termA, termB, termC, termD);
  storeFourTaps(second + parked, right, down, nextTermA, nextTermB, nextTermC, nextTermD);
  const sum = f32x4.add(f32x4.add(f32x4.add(termA, termB), termC), termD);
  const nextSum = f32x4.add(f32x4.add(f32x4.add(nextTermA, nextTermB), nextTermC), nextTermD);
  const logSum = f32x4.add(
    f32x4.add(f32x4.add(weightedTerm(termA, ratioA), weightedTerm(termB, ratioB)), weightedTerm(termC, ratioC)),
    weightedTerm(termD, ratioD),
  );
  const nextLogSum = f32x4.add(
    f32x4.add(f32x4.add(weightedTerm(nextTermA, nextRatioA), weightedTerm(nextTermB, nextRatioB)), weightedTerm(nextTermC, nextRatioC)),
    weightedTerm(nextTermD, nextRatioD),
  );
  const rootLog = f32x4.div(logPositiveLanes(perCell(sum, 4)), power);
  const nextRootLog = f32x4.div(logPositiveLanes(perCell(nextSum, 4)), nextPower);
  const y = v128.bitselect(f32x4.mul(s, expLanes(rootLog)), s, finiteLanes(s));
  const nextY = v128.bitselect(f32x4.mul(nextS, expLanes(nextRootLog)), nextS, finiteLanes(nextS));
  const perPower = f32x4.mul(f32x4.div(y, power), f32x4.sub(f32x4.div(logSum, sum), rootLog));
  const nextPerPower = f32x4.mul(f32x4.div(nextY, nextPower), f32x4.sub(f32x4.div(nextLogSum, nextSum), nextRootLog));
  saveWindowPair(block, outIndex + <usize>channel, y, nextY, f32x4.div(y, sum), f32x4.div(nextY, nextSum), perPower, nextPerPower);
  return true;
}

function gemForwardWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  gemForwardChannels(block, start, outIndex, columns, false);
}

function gemSavingWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  gemForwardChannels(block, start, outIndex, columns, true);
}

/** Output rows [firstUnit, endUnit) of GeM's forward. */
export function gemPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, gemForwardWindow);
}

/**
 * Output rows [firstUnit, endUnit) of GeM's forward where no input cell lies in two windows,
 * keeping for gemSavedBackwardRows each cell's t (one plane at CELL_SCRATCH) and each window's
 * y, T and Σt·l (saveWindowLanes): the backward then needs no e^x or ln x per cell.
 */
export function gemPoolSavingRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, gemSavingWindow);
}
