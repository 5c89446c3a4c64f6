// Detail-preserving pooling, Lite-DPP (reference dpp-pool.ts): y = Σwᵢxᵢ/Σwᵢ over each window's
// in-bounds cells, wᵢ = α + ρᵢ, ρᵢ = (dᵢ² + ε²)^{λ/2} = e^{(λ/2)·Lᵢ}, Lᵢ = ln(dᵢ² + ε²), dᵢ = xᵢ − x̃
// (clipped at 0 below when asymmetric), x̃ the window mean; in float32 with expLanes and logLanes.
// With cᵢ = (xᵢ − y)/Σw and tᵢ = cᵢ·λ·ρᵢ·dᵢ/(dᵢ² + ε²): ∂y/∂xₖ = wₖ/Σw + tₖ − Σtᵢ/n, ∂y/∂α = Σcᵢ,
// ∂y/∂λ = Σcᵢρᵢ Lᵢ/2; a window whose y is not finite passes nothing. Backward as SoftPool's
// (soft.ts): fused where windows do not overlap, else statistics then a gather; ∂/∂α and ∂/∂λ
// terms per row and channel in float64 (α's then λ's, 2·group per row), summed in TypeScript.
import { INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { expLanes, logPositiveLanes } from '../simd-math';
import { CELL_PLANE_BYTES, CELL_SCRATCH, OPTION, PER_CHANNEL, SECOND_PER_CHANNEL, SECOND_WEIGHTS, STATS, STATS_PLANE_BYTES, WEIGHTS } from './arguments';
import { finiteLanes, isFourTaps, loadLanes, meanResidual, parameterLanes, storeLanes, windowMeanLanes } from './lanes';
import { walkOutputRows } from './walks';

/** ε² = 10⁻³ (DPP_EPSILON_SQUARED). */
const EPSILON_SQUARED: f32 = 1e-3;
/** Beyond this |d|, d² + ε² would overflow: L is 2·ln|d| there (ε² is far below d²'s last digit). */
const LARGE_DIFFERENCE: f32 = 1e18;

// The last window's x̃, Σw and D = y − x̃ = Σwᵢ(xᵢ − x̃)/Σw (per instance, so per thread). y and
// each xᵢ − y are taken as x̃ + D and (xᵢ − x̃) − D: where Σw is tiny (α = 0, λ > 0, cells close to
// x̃), cᵢ = (xᵢ − y)/Σw then keeps the digits of the cells' spread, not of their size.
export let mean: v128 = f32x4.splat(0);
export let total: v128 = f32x4.splat(0);
export let deviation: v128 = f32x4.splat(0);
/** x̃'s float32 rounding (windowMeanLanes' meanResidual): dᵢ = (xᵢ − x̃) − it keeps dᵢ's digits. */
export let meanError: v128 = f32x4.splat(0);

/** d = x − x̃ (`raw`), clipped at 0 below when `asymmetric`. */
@inline
export function differenceLanes(raw: v128, asymmetric: bool): v128 {
  return asymmetric ? f32x4.pmax(raw, f32x4.splat(0)) : raw;
}

/**
 * L = ln(d² + ε²), as 2·ln|d| where d² would overflow; its argument is normal and positive (d² + ε²
 * ≥ ε², |d| > 10¹⁸) or, for a window that is not finite (whose lanes are discarded), anything.
 */
@inline
export function logBaseLanes(difference: v128): v128 {
  const size = f32x4.abs(difference);
  const large = f32x4.gt(size, f32x4.splat(LARGE_DIFFERENCE));
  const base = f32x4.add(f32x4.mul(difference, difference), f32x4.splat(EPSILON_SQUARED));
  const logarithm = logPositiveLanes(v128.bitselect(size, base, large));
  return f32x4.mul(logarithm, v128.bitselect(f32x4.splat(2), f32x4.splat(1), large));
}

/** λ·ρ·d/(d² + ε²) written as λ·ρ/(d + ε²/d): 0 at d = 0, and no square to overflow. */
@inline
export function slopeLanes(difference: v128, lambda: v128, reward: v128): v128 {
  const spread = f32x4.add(difference, f32x4.div(f32x4.splat(EPSILON_SQUARED), difference));
  return f32x4.div(f32x4.mul(lambda, reward), spread);
}

/** α's and λ's lanes of `channel` on (the current row's). */
@inline
export function alphaLanes(block: usize, channel: i32, full: bool): v128 {
  return parameterLanes(block, channel, full, WEIGHTS, PER_CHANNEL);
}

@inline
export function lambdaLanes(block: usize, channel: i32, full: bool): v128 {
  return parameterLanes(block, channel, full, SECOND_WEIGHTS, SECOND_PER_CHANNEL);
}

/** The last dppTap's w·(x − x̃) (per instance, so per thread). */
let cellWeighted: v128 = f32x4.splat(0);

/** One cell's weight w = α + ρ (returned) and w·(x − x̃) (cellWeighted); ρ and L parked when `park`. */
@inline
function dppTap(
  tap: usize, full: bool, average: v128, residual: v128, half: v128, alpha: v128, asymmetric: bool, park: bool, parked: usize, logParked: usize,
): v128 {
  const raw = f32x4.sub(f32x4.sub(loadLanes(tap, full), average), residual);
  const logBase = logBaseLanes(differenceLanes(raw, asymmetric));
  const reward = expLanes(f32x4.mul(half, logBase));
  if (park) {
    storeLanes(tap + parked, reward, full);
    storeLanes(tap + logParked, logBase, full);
  }
  const weight = f32x4.add(alpha, reward);
  cellWeighted = f32x4.mul(weight, raw);
  return weight;
}

/**
 * y of one window's lanes; sets mean and total. An empty window gives 0, one whose x̃ is not finite
 * NaN. With `park`, each cell's ρ is stored `parked` bytes past it (in its gradInput cell) and its L
 * `logParked` bytes past it.
 */
@inline
export function dppLanes(
  start: usize, columns: i32, full: bool, alpha: v128, lambda: v128, asymmetric: bool, park: bool, parked: usize, logParked: usize,
): v128 {
  const zero = f32x4.splat(0);
  const average = windowMeanLanes(start, columns, full);
  const residual = meanResidual;
  const half = f32x4.mul(lambda, f32x4.splat(0.5));
  let weights = zero;
  let weighted = zero;
  if (isFourTaps(columns)) {
    // The four taps unrolled (lanes.ts's isFourTaps), in the loops' order.
    const second = start + columnBytes;
    const third = start + rowBytes;
    weights = f32x4.add(weights, dppTap(start, full, average, residual, half, alpha, asymmetric, park, parked, logParked));
    weighted = f32x4.add(weighted, cellWeighted);
    weights = f32x4.add(weights, dppTap(second, full, average, residual, half, alpha, asymmetric, park, parked, logParked));
    weighted = f32x4.add(weighted, cellWeighted);
    weights = f32x4.add(weights, dppTap(third, full, average, residual, half, alpha, asymmetric, park, parked, logParked));
    weighted = f32x4.add(weighted, cellWeighted);
    weights = f32x4.add(weights, dppTap(third + columnBytes, full, average, residual, half, alpha, asymmetric, park, parked, logParked));
    weighted = f32x4.add(weighted, cellWeighted);
  } else {
    let slicePointer = start;
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          weights = f32x4.add(weights, dppTap(tap, full, average, residual, half, alpha, asymmetric, park, parked, logParked));
          weighted = f32x4.add(weighted, cellWeighted);
        }
      }
    }
  }
  mean = average;
  meanError = residual;
  total = weights;
  deviation = f32x4.div(weighted, weights);
  if (columns == 0) return zero;
  const y = f32x4.add(average, deviation);
  return v128.or(y, v128.not(finiteLanes(average))); // all ones: NaN
}

function dppForwardWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const asymmetric = word(block, OPTION) != 0;
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const alpha = alphaLanes(block, channel, true);
    const y = dppLanes(start + offset, columns, true, alpha, lambdaLanes(block, channel, true), asymmetric, false, 0, 0);
    storeLanes(output + offset, y, true);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const alpha = alphaLanes(block, channel, false);
    const y = dppLanes(start + offset, columns, false, alpha, lambdaLanes(block, channel, false), asymmetric, false, 0, 0);
    storeLanes(output + offset, y, false);
  }
}

/** Output rows [firstUnit, endUnit) of DPP's forward. */
export function dppPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, dppForwardWindow);
}

/** The planes a saving forward keeps at STATS: x̃, its rounding, D = y − x̃ and Σw. */
@inline
function saveWindowLanes(block: usize, outIndex: usize, full: bool): void {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  storeLanes(stats, mean, full);
  storeLanes(stats + plane, meanError, full);
  storeLanes(stats + 2 * plane, deviation, full);
  storeLanes(stats + 3 * plane, total, full);
}

/** The saved planes back into the window globals (dppLanes' results); returns y. */
@inline
export function loadWindowLanes(block: usize, outIndex: usize, full: bool): v128 {
  const stats = pointer(block, STATS) + (outIndex << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  mean = loadLanes(stats, full);
  meanError = loadLanes(stats + plane, full);
  deviation = loadLanes(stats + 2 * plane, full);
  total = loadLanes(stats + 3 * plane, full);
  return v128.or(f32x4.add(mean, deviation), v128.not(finiteLanes(mean)));
}

function dppSavingWindow(block: usize, start: usize, outIndex: usize, columns: i32): void {
  const output = pointer(block, OUTPUT) + (outIndex << 2);
  const asymmetric = word(block, OPTION) != 0;
  const parked = pointer(block, CELL_SCRATCH) - pointer(block, INPUT);
  const logParked = parked + <usize>word(block, CELL_PLANE_BYTES);
  let channel = 0;
  for (; channel + 4 <= group; channel += 4) {
    const offset = <usize>channel << 2;
    const alpha = alphaLanes(block, channel, true);
    const lambda = lambdaLanes(block, channel, true);
    storeLanes(output + offset, dppLanes(start + offset, columns, true, alpha, lambda, asymmetric, true, parked, logParked), true);
    saveWindowLanes(block, outIndex + channel, true);
  }
  for (; channel < group; channel++) {
    const offset = <usize>channel << 2;
    const alpha = alphaLanes(block, channel, false);
    const lambda = lambdaLanes(block, channel, false);
    storeLanes(output + offset, dppLanes(start + offset, columns, false, alpha, lambda, asymmetric, true, parked, logParked), false);
    saveWindowLanes(block, outIndex + channel, false);
  }
}

/**
 * Output rows [firstUnit, endUnit) of DPP's forward where no input cell lies in two windows, keeping
 * for dppSavedBackwardRows each cell's ρ and L (two planes at CELL_SCRATCH) and each window's sums.
 */
export function dppPoolSavingRows(block: usize, firstUnit: i32, endUnit: i32): void {
  walkOutputRows(block, firstUnit, endUnit, dppSavingWindow);
}
