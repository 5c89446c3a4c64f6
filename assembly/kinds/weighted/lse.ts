// LSE pooling (reference lse-pool.ts): y = m + ln(1 + Σ expm1(r(xᵢ − m))/n)/r over each window's
// in-bounds cells, m the window max for r > 0 (min for r < 0), and the mean where |r|·(max − min)
// < 10⁻⁹; in float32 with expWeightPairLanes and log1pNonPositiveLanes. Gradients: ∂y/∂xᵢ = sᵢ = eᵢ/Σe
// (1/n in the mean limit); ∂y/∂r = (Σsᵢ(xᵢ − m) − ln(mean e)/r)/r (Σ(xᵢ − y)²/2n in the limit).
// Backward as SoftPool's (soft.ts): fused where windows do not overlap, else statistics (m, the
// rate used, gradOutput/Σe) then a gather; ∂/∂r terms per row as GeM's (gem.ts). A training forward
// over windows that do not overlap keeps each e and each window's y, Σe and ∂y/∂r for the backward
// (src/pooling/kinds/forward-keep.ts), which then takes no e^x and no ln.
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expWeightLanes, expWeightPairLanes, log1pNonPositiveLanes, weightLessOne } from '../simd-math';
import { CELL_SCRATCH, STATS, STATS_PLANE_BYTES } from './arguments';
import { isFourTaps, loadLanes, offsetLanes, perCell, rangeLargest, rangeNaN, rangeSmallest, saveWindowPair, storeFourTaps, storeLanes, weightedTerm, weightLanes, windowRange } from './lanes';
import { walkOutputRows } from './walks';

/** Below this |r|·(max − min), y is the mean (MEAN_LIMIT). */
const MEAN_LIMIT: f32 = 1e-9;

// The last window's shift m, rate used (0 in the mean limit), Σe, ln(mean e) and Σeᵢ(xᵢ − m) or
// Σ(xᵢ − y)² (per instance, so per thread).
export let shift: v128 = f32x4.splat(0);
export let rate: v128 = f32x4.splat(0);
export let total: v128 = f32x4.splat(0);
let logMean: v128 = f32x4.splat(0);
/** With `park`, the last window's Σeᵢ(xᵢ − m) (lseRateFactor's sum, in its order). */
let weightedSum: v128 = f32x4.splat(0);

/**
 * y of one window's lanes; sets shift, rate, total and logMean. An empty window gives 0. With `park`,
 * each cell's weight e is stored `parked` bytes past it (in its gradInput cell).
 */
@inline
export function lseLanes(start: usize, columns: i32, full: bool, r: v128, park: bool, parked: usize): v128 {
  const zero = f32x4.splat(0);
  windowRange(start, columns, full, -Infinity);
  const largest = rangeLargest;
  const smallest = rangeSmallest;
  const four = isFourTaps(columns);
  const m = v128.or(v128.bitselect(largest, smallest, f32x4.gt(r, zero)), rangeNaN);
  // The mean limit; NaN spread (equal infinities) is not in it.
  const spread = f32x4.mul(f32x4.abs(r), f32x4.sub(largest, smallest));
  const limit = v128.or(f32x4.eq(r, zero), f32x4.lt(spread, f32x4.splat(MEAN_LIMIT)));
  const used = v128.andnot(r, limit);
  // The sums in locals (V8 keeps a module's globals in memory), in the reference's order from 0.
  let sum = zero;
  let shares = zero;
  let plain = zero;
  let weighted = zero;
  if (four) {
    const a = loadLanes(start, full);
    const b = loadLanes(start + columnBytes, full);
    const c = loadLanes(start + rowBytes, full);
    const d = loadLanes(start + rowBytes + columnBytes, full);
    const offsetA = offsetLanes(a, m);
    const offsetB = offsetLanes(b, m);
    const offsetC = offsetLanes(c, m);
    const offsetD = offsetLanes(d, m);
    const scaledA = f32x4.mul(used, offsetA);
    const scaledB = f32x4.mul(used, offsetB);
    const scaledC = f32x4.mul(used, offsetC);
    const scaledD = f32x4.mul(used, offsetD);
    const weightA = expWeightPairLanes(scaledA);
    const lessOneA = weightLessOne;
    const weightB = expWeightPairLanes(scaledB);
    const lessOneB = weightLessOne;
    const weightC = expWeightPairLanes(scaledC);
    const lessOneC = weightLessOne;
    const weightD = expWeightPairLanes(scaledD);
    const lessOneD = weightLessOne;
    if (park) {
      storeLanes(start + parked, weightA, full);
      storeLanes(start + columnBytes + parked, weightB, full);
      storeLanes(start + rowBytes + parked, weightC, full);
      storeLanes(start + rowBytes + columnBytes + parked, weightD, full);
      const weighted = f32x4.add(f32x4.add(zero, weightedTerm(weightA, offsetA)), weightedTerm(weightB, offsetB));
      weightedSum = f32x4.add(f32x4.add(weighted, weightedTerm(weightC, offsetC)), weightedTerm(weightD, offsetD));
    }
    sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(sum, weightA), weightB), weightC), weightD);
    shares = f32x4.add(f32x4.add(f32x4.add(f32x4.add(shares, lessOneA), lessOneB), lessOneC), lessOneD);
    plain = f32x4.add(f32x4.add(f32x4.add(f32x4.add(plain, a), b), c), d);
  } else {
    let slicePointer = start;
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = loadLanes(tap, full);
          const offset = offsetLanes(value, m);
          const scaled = f32x4.mul(used, offset);
          const weight = expWeightPairLanes(scaled);
          if (park) {
            storeLanes(tap + parked, weight, full);
            weighted = f32x4.add(weighted, weightedTerm(weight, offset));
          }
          sum = f32x4.add(sum, weight);
          shares = f32x4.add(shares, weightLessOne);
          plain = f32x4.add(plain, value);
        }
      }
    }
    if (park) weightedSum = weighted;
  }
  const cells = slices * rows * columns;
  shift = m;
  rate = used;
  total = sum;
  // Σ(e − 1)/n lies in (−1, 0]: each e ≤ 1, and m's is 1 (NaN lanes give NaN y through m).
  logMean = log1pNonPositiveLanes(perCell(shares, cells));
  if (columns == 0) return zero;
  return v128.bitselect(perCell(plain, cells), f32x4.add(m, f32x4.div(logMean, used)), limit);
}

/**
 * One window's outputs, all channels; with `saving`, each cell's e parked at CELL_SCRATCH and the
 * window's y, Σe and ∂y/∂r kept at STATS (three planes), what lseFusedLanes would compute anew.
 */
@inline
function lseForwardChannels(block: usize, start: usize, outIndex: usize, columns: i32, saving: bool): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const parked = saving ? pointer(block, CELL_SCRATCH) - pointer(block, INPUT) : 0;
  let channel = 0;
  if (saving && isFourTaps(columns))
    for (; channel + 8 <= group; channel += 8) if (!lseSavingPair(block, start, outIndex, channel, parked)) break;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const y = lseLanes(start + offset, columns, true, weightLanes(block, channel, true), saving, parked);
    storeLanes(output + offset, y, true);
    if (saving) lseSaveWindowLanes(block, start + offset, outIndex + channel, columns, true, y);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const y = lseLanes(start + offset, columns, false, weightLanes(block, channel, false), saving, parked);
    storeLanes(output + offset, y, false);
    if (saving) lseSaveWindowLanes(block, start + offset, outIndex + channel, columns, false, y);
  }
}

/** lseLanes' window setup of a 2×2 quad at `at` for rates `r`: m, and the rate used (pairShift, pairUsed); false in the mean limit. */
@inline
function lsePairSetup(at: usize, r: v128): bool {
  windowRange(at, 2, true, -Infinity);
  const largest = rangeLargest;
  const smallest = rangeSmallest;
  pairShift = v128.or(v128.bitselect(largest, smallest, f32x4.gt(r, f32x4.splat(0))), rangeNaN);
  const spread = f32x4.mul(f32x4.abs(r), f32x4.sub(largest, smallest));
  const limit = v128.or(f32x4.eq(r, f32x4.splat(0)), f32x4.lt(spread, f32x4.splat(MEAN_LIMIT)));
  pairUsed = r; // andnot(r, limit) with no lane in the limit
  return !v128.any_true(limit);
}

let pairShift: v128 = f32x4.splat(0); // lsePairSetup's results (per instance, so per thread)
let pairUsed: v128 = f32x4.splat(0);

/**
 * A saving forward's two channel quads [channel, channel + 8) of a 2×2 window side by side, when no
 * lane of either is in the mean limit (else nothing is written and false returned): lseLanes(park)
 * and lseSaveWindowLanes' steps and sums in their order, the same bits, the quads' e^x interleaved
 * so that the processor overlaps their chains (gem.ts's gemSavingPair).
 */
@inline
function lseSavingPair(block: usize, start: usize, outIndex: usize, channel: i32, parked: usize): bool {
  const first = start + (<usize>channel << 2);
  const second = first + 16;
  if (!lsePairSetup(first, weightLanes(block, channel, true))) return false;
  const m = pairShift;
  const used = pairUsed;
  if (!lsePairSetup(second, weightLanes(block, channel + 4, true))) return false;
  const nextM = pairShift;
  const nextUsed = pairUsed;
  const zero = f32x4.splat(0);
  const right = columnBytes;
  const down = rowBytes;
  const a = v128.load(first);
  const nextA = v128.load(second);
  const b = v128.load(first + right);
  const nextB = v128.load(second + right);
  const c = v128.load(first + down);
  const nextC = v128.load(second + down);
  const d = v128.load(first + down + right);
  const nextD = v128.load(second + down + right);
  const offsetA = offsetLanes(a, m);
  const nextOffsetA = offsetLanes(nextA, nextM);
  const offsetB = offsetLanes(b, m);
  const nextOffsetB = offsetLanes(nextB, nextM);
  const offsetC = offsetLanes(c, m);
  const nextOffsetC = offsetLanes(nextC, nextM);
  const offsetD = offsetLanes(d, m);
  const nextOffsetD = offsetLanes(nextD, nextM);
  const weightA = expWeightPairLanes(f32x4.mul(used, offsetA));
  const lessOneA = weightLessOne;
  const nextWeightA = expWeightPairLanes(f32x4.mul(nextUsed, nextOffsetA));
  const nextLessOneA = weightLessOne;
  const weightB = expWeightPairLanes(f32x4.mul(used, offsetB));
  const lessOneB = weightLessOne;
  const nextWeightB = expWeightPairLanes(f32x4.mul(nextUsed, nextOffsetB));
  const nextLessOneB = weightLessOne;
  const weightC = expWeightPairLanes(f32x4.mul(used, offsetC));
  const lessOneC = weightLessOne;
  const nextWeightC = expWeightPairLanes(f32x4.mul(nextUsed, nextOffsetC));
  const nextLessOneC = weightLessOne;
  const weightD = expWeightPairLanes(f32x4.mul(used, offsetD));
  const lessOneD = weightLessOne;
  const nextWeightD = expWeightPairLanes(f32x4.mul(nextUsed, nextOffsetD));
  const nextLessOneD = weightLessOne;
  storeFourTaps(first + parked, right, down, weightA, weightB, weightC, weightD);
  storeFourTaps(second + parked, right, down, nextWeightA, nextWeightB, nextWeightC, nextWeightD);
  const weightedAB = f32x4.add(f32x4.add(zero, weightedTerm(weightA, offsetA)), weightedTerm(weightB, offsetB));
  const weighted = f32x4.add(f32x4.add(weightedAB, weightedTerm(weightC, offsetC)), weightedTerm(weightD, offsetD));
  const nextWeightedAB = f32x4.add(f32x4.add(zero, weightedTerm(nextWeightA, nextOffsetA)), weightedTerm(nextWeightB, nextOffsetB));
  const nextWeighted = f32x4.add(f32x4.add(nextWeightedAB, weightedTerm(nextWeightC, nextOffsetC)), weightedTerm(nextWeightD, nextOffsetD));
  const sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(zero, weightA), weightB), weightC), weightD);
  const nextSum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(zero, nextWeightA), nextWeightB), nextWeightC), nextWeightD);
  const shares = f32x4.add(f32x4.add(f32x4.add(f32x4.add(zero, lessOneA), lessOneB), lessOneC), lessOneD);
  const nextShares = f32x4.add(f32x4.add(f32x4.add(f32x4.add(zero, nextLessOneA), nextLessOneB), nextLessOneC), nextLessOneD);
  const logMeanHere = log1pNonPositiveLanes(perCell(shares, 4));
  const nextLogMean = log1pNonPositiveLanes(perCell(nextShares, 4));
  const quotient = f32x4.div(logMeanHere, used);
  const nextQuotient = f32x4.div(nextLogMean, nextUsed);
  const y = f32x4.add(m, quotient);
  const nextY = f32x4.add(nextM, nextQuotient);
  // lseRateFactor outside the limit: (Σsᵢ(xᵢ − m) − ln(mean e)/r)/r.
  const perRate = f32x4.div(f32x4.sub(f32x4.div(weighted, sum), quotient), used);
  const nextPerRate = f32x4.div(f32x4.sub(f32x4.div(nextWeighted, nextSum), nextQuotient), nextUsed);
  saveWindowPair(block, outIndex + <usize>channel, y, nextY, sum, nextSum, perRate, nextPerRate);
  return true;
}

/** The planes a saving forward keeps at STATS after lseLanes (with `park`): y, Σe, ∂y/∂r (none for an empty window). */
@inline
function lseSaveWindowLanes(block: usize, start: usize, outIndex: usize, columns: i32, full: bool, y: v128): void {
  if (columns == 0) return; // its backward passes nothing
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  storeLanes(stats, y, full);
  storeLanes(stats + plane, total, full);
  storeLanes(stats + 2 * plane, lseRateFactor(start, columns, full, y, true), full);
}

function lseForwardWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lseForwardChannels(block, start, outIndex, columns, false);
}

function lseSavingWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  lseForwardChannels(block, start, outIndex, columns, true);
}

/** Output rows [firstUnit, endUnit) of LSE pooling's forward. */
export function lsePoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lseForwardWindow);
}

/**
 * Output rows [firstUnit, endUnit) of LSE pooling's forward where no input cell lies in two windows,
 * keeping for lseSavedBackwardRows each cell's e (one plane at CELL_SCRATCH) and each window's y, Σe
 * and ∂y/∂r (lseSaveWindowLanes): the backward then takes no e^x and no ln.
 */
export function lsePoolSavingRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, lseSavingWindow);
}

/**
 * After lseLanes of a non-empty window: ∂y/∂r, a second walk over the window for Σsᵢ(xᵢ − m) (or
 * Σ(xᵢ − y)²/2n in the mean limit), which with `park` lseLanes summed already (weightedSum).
 */
@inline
export function lseRateFactor(start: usize, columns: i32, full: bool, y: v128, park: bool): v128 {
  const zero = f32x4.splat(0);
  const limit = f32x4.eq(rate, zero);
  const m = shift;
  const used = rate;
  // With `park`, lseLanes summed Σeᵢ(xᵢ − m) in this walk's order; Σ(xᵢ − y)² only for lanes in the mean limit.
  const walkWeights = !park;
  const walkSquares = v128.any_true(limit);
  let weighted = park ? weightedSum : zero;
  let squares = zero;
  if (walkWeights || walkSquares) {
    let slicePointer = start;
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = loadLanes(tap, full);
          if (walkWeights) {
            const offset = offsetLanes(value, m);
            weighted = f32x4.add(weighted, weightedTerm(expWeightLanes(f32x4.mul(used, offset)), offset));
          }
          const deviation = f32x4.sub(value, y);
          squares = f32x4.add(squares, f32x4.mul(deviation, deviation));
        }
      }
    }
  }
  const inLimit = perCell(squares, 2 * slices * rows * columns);
  const outside = f32x4.div(f32x4.sub(f32x4.div(weighted, total), f32x4.div(logMean, used)), used);
  return v128.bitselect(inLimit, outside, limit);
}
