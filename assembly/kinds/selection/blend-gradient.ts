// The weight gradients of mixed and gated pooling per plane (src/kernels/reference/extra/plane-sums.ts):
// each plane's terms summed per weight in float64 in window order from the factors blendBackward left
// in the f64 scratch (plane-major, one per output cell), into PLANE_SUMS; the TypeScript side adds
// the planes' sums into the float32 gradient in plane order. Planes are independent: any thread split.
import { CHANNELS, CHANNELS_LAST, KERNEL, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { windowEntry } from '../../pool/tables';
import { beginOutputRow, cellBytes, columnBytes, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import {
  beginRowTaps, beginWindow, PLANE_SUMS, rowsPerOuter, SCRATCH, tapRow, tapSlice, windowColumns, windowCount,
  windowDense, windowFirstTap, windowStart,
} from './window';
import { high, low, ZERO } from './lanes';

/** Mixed: each plane's Σ ∂y/∂a over its cells, planes [firstPlane, endPlane); four planes at a time, four chains. */
export function mixedPlaneSums(block: usize, firstPlane: i32, endPlane: i32): void {
  const spatial = <usize>word(block, OUT_SIZE) * <usize>word(block, OUT_SIZE + 1) * <usize>word(block, OUT_SIZE + 2);
  const planeBytes = spatial << 3;
  const sums = pointer(block, PLANE_SUMS);
  let plane = firstPlane;
  for (; plane + 4 <= endPlane; plane += 4) {
    const first = pointer(block, SCRATCH) + <usize>plane * planeBytes;
    let s0: f64 = 0;
    let s1: f64 = 0;
    let s2: f64 = 0;
    let s3: f64 = 0;
    for (let at = first, end = first + planeBytes; at < end; at += 8) {
      s0 += load<f64>(at);
      s1 += load<f64>(at + planeBytes);
      s2 += load<f64>(at + 2 * planeBytes);
      s3 += load<f64>(at + 3 * planeBytes);
    }
    const out = sums + (<usize>plane << 3);
    store<f64>(out, s0);
    store<f64>(out, s1, 8);
    store<f64>(out, s2, 16);
    store<f64>(out, s3, 24);
  }
  for (; plane < endPlane; plane++) {
    const first = pointer(block, SCRATCH) + <usize>plane * planeBytes;
    let sum: f64 = 0;
    for (let at = first, end = first + planeBytes; at < end; at += 8) sum += load<f64>(at);
    store<f64>(sums + (<usize>plane << 3), sum);
  }
}

/**
 * Gated: each plane's Σ factor·x_k per tap k, window after window, for outer units [firstUnit,
 * endUnit) (samples in NHWC, planes in NCHW): a 2x2 kernel's sums in locals over the dense windows
 * (four NHWC channels' planes at a time in f64x2 lanes), in PLANE_SUMS for the others.
 */
export function gatedPlaneSums(block: usize, firstUnit: i32, endUnit: i32): void {
  const laneCount = word(block, CHANNELS_LAST) != 0 ? word(block, CHANNELS) : 1;
  const taps = word(block, KERNEL) * word(block, KERNEL + 1) * word(block, KERNEL + 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    let lane = 0;
    if (taps == 4) for (; lane + 4 <= laneCount; lane += 4) quadPlaneSums(block, unit, unit * laneCount + lane, lane);
    for (; lane < laneCount; lane++) lanePlaneSums(block, unit, unit * laneCount + lane, lane, taps);
  }
}

/** The address of plane `plane`'s sums in PLANE_SUMS ([planes, perPlane] f64), those of `planes` planes zeroed. */
@inline
export function clearedPlaneSums(block: usize, plane: i32, perPlane: i32, planes: i32 = 1): usize {
  const at = pointer(block, PLANE_SUMS) + ((<usize>plane * <usize>perPlane) << 3);
  memory.fill(at, 0, (<usize>perPlane * <usize>planes) << 3);
  return at;
}

/** Bytes of one plane of blendBackward's factors: one f64 per output cell. */
@inline
function factorPlaneBytes(block: usize): usize {
  return <usize>(rowsPerOuter(block) * word(block, OUT_SIZE + 2)) << 3;
}

/** One plane's sums (lane `lane` of outer unit `unit`). */
function lanePlaneSums(block: usize, unit: i32, plane: i32, lane: i32, taps: i32): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const outerRows = rowsPerOuter(block);
  const twoByTwo = taps == 4;
  const slots = clearedPlaneSums(block, plane, taps);
  let factor = pointer(block, SCRATCH) + <usize>plane * factorPlaneBytes(block);
  let s0: f64 = 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let s3: f64 = 0;
  for (let rowUnit = unit * outerRows; rowUnit < (unit + 1) * outerRows; rowUnit++) {
    beginOutputRow(block, rowUnit);
    beginRowTaps(block);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++, factor += 8) {
      beginWindow(block, widthTable, column, true);
      if (windowCount == 0) continue;
      const start = windowStart + (<usize>lane << 2);
      const term = load<f64>(factor);
      if (twoByTwo && windowDense) {
        s0 += term * <f64>load<f32>(start);
        s1 += term * <f64>load<f32>(start + cellBytes);
        s2 += term * <f64>load<f32>(start + rowBytes);
        s3 += term * <f64>load<f32>(start + rowBytes + cellBytes);
        continue;
      }
      if (twoByTwo) storeSums(slots, s0, s1, s2, s3);
      addWindowTerms(start, slots, term);
      if (twoByTwo) {
        s0 = load<f64>(slots);
        s1 = load<f64>(slots, 8);
        s2 = load<f64>(slots, 16);
        s3 = load<f64>(slots, 24);
      }
    }
  }
  if (twoByTwo) storeSums(slots, s0, s1, s2, s3);
}

/**
 * Four consecutive NHWC channels' planes (plane, + 1, + 2, + 3) of a 2x2 kernel: tap k's sums of
 * planes (plane, plane + 1) in one f64x2 and of (plane + 2, plane + 3) in another, the same adds in
 * the same order as lanePlaneSums; a window that is not dense goes through memory lane by lane.
 */
function quadPlaneSums(block: usize, unit: i32, plane: i32, lane: i32): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const outerRows = rowsPerOuter(block);
  const planeBytes = factorPlaneBytes(block);
  const slots = clearedPlaneSums(block, plane, 4, 4); // 4 planes · 4 taps, plane-major
  let factor = pointer(block, SCRATCH) + <usize>plane * planeBytes;
  let a0 = ZERO, a1 = ZERO, a2 = ZERO, a3 = ZERO; // taps 0-3, planes 0-1
  let b0 = ZERO, b1 = ZERO, b2 = ZERO, b3 = ZERO; // taps 0-3, planes 2-3
  for (let rowUnit = unit * outerRows; rowUnit < (unit + 1) * outerRows; rowUnit++) {
    beginOutputRow(block, rowUnit);
    beginRowTaps(block);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++, factor += 8) {
      beginWindow(block, widthTable, column, true);
      if (windowCount == 0) continue;
      const start = windowStart + (<usize>lane << 2);
      if (windowDense) {
        const low01 = v128.load64_lane(factor + planeBytes, v128.load64_zero(factor), 1);
        const high23 = v128.load64_lane(factor + 3 * planeBytes, v128.load64_zero(factor + 2 * planeBytes), 1);
        let x = v128.load(start);
        a0 = f64x2.add(a0, f64x2.mul(low01, low(x)));
        b0 = f64x2.add(b0, f64x2.mul(high23, high(x)));
        x = v128.load(start + cellBytes);
        a1 = f64x2.add(a1, f64x2.mul(low01, low(x)));
        b1 = f64x2.add(b1, f64x2.mul(high23, high(x)));
        x = v128.load(start + rowBytes);
        a2 = f64x2.add(a2, f64x2.mul(low01, low(x)));
        b2 = f64x2.add(b2, f64x2.mul(high23, high(x)));
        x = v128.load(start + rowBytes + cellBytes);
        a3 = f64x2.add(a3, f64x2.mul(low01, low(x)));
        b3 = f64x2.add(b3, f64x2.mul(high23, high(x)));
        continue;
      }
      storeQuadSums(slots, a0, a1, a2, a3, b0, b1, b2, b3);
      for (let index = 0; index < 4; index++) {
        addWindowTerms(start + (<usize>index << 2), slots + (<usize>index << 5), load<f64>(factor + <usize>index * planeBytes));
      }
      a0 = quadSum(slots, 0, 0);
      a1 = quadSum(slots, 0, 1);
      a2 = quadSum(slots, 0, 2);
      a3 = quadSum(slots, 0, 3);
      b0 = quadSum(slots, 2, 0);
      b1 = quadSum(slots, 2, 1);
      b2 = quadSum(slots, 2, 2);
      b3 = quadSum(slots, 2, 3);
    }
  }
  storeQuadSums(slots, a0, a1, a2, a3, b0, b1, b2, b3);
}

/** Tap `tap`'s sums of planes `first` and `first` + 1 of a quad's slots ([4 planes, 4 taps] f64). */
@inline
function quadSum(slots: usize, first: i32, tap: i32): v128 {
  const at = slots + (<usize>(first * 4 + tap) << 3);
  return v128.load64_lane(at + 32, v128.load64_zero(at), 1);
}

@inline
function storeTap(slots: usize, first: i32, tap: i32, sums: v128): void {
  const at = slots + (<usize>(first * 4 + tap) << 3);
  v128.store64_lane(at, sums, 0);
  v128.store64_lane(at + 32, sums, 1);
}

@inline
function storeQuadSums(slots: usize, a0: v128, a1: v128, a2: v128, a3: v128, b0: v128, b1: v128, b2: v128, b3: v128): void {
  storeTap(slots, 0, 0, a0);
  storeTap(slots, 0, 1, a1);
  storeTap(slots, 0, 2, a2);
  storeTap(slots, 0, 3, a3);
  storeTap(slots, 2, 0, b0);
  storeTap(slots, 2, 1, b1);
  storeTap(slots, 2, 2, b2);
  storeTap(slots, 2, 3, b3);
}

@inline
export function storeSums(slots: usize, s0: f64, s1: f64, s2: f64, s3: f64): void {
  store<f64>(slots, s0);
  store<f64>(slots, s1, 8);
  store<f64>(slots, s2, 16);
  store<f64>(slots, s3, 24);
}

/** Adds factor·x_k to sum k of `slots` (f64) for each in-bounds tap k of the window begun last, in window order. */
@inline
function addWindowTerms(start: usize, slots: usize, factor: f64): void {
  const columns = windowColumns;
  const columnStep = columnBytes;
  let slicePointer = start;
  let sliceTap = windowFirstTap;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceTap += tapSlice) {
    let rowPointer = slicePointer;
    let rowTap = sliceTap;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowTap += tapRow) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnStep) {
        const slot = slots + (<usize>(rowTap + kx) << 3);
        store<f64>(slot, load<f64>(slot) + factor * <f64>load<f32>(tap));
      }
    }
  }
}
