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
 * endUnit) (samples in NHWC, planes in NCHW): a 2x2 kernel's four sums in locals over the dense
 * windows, in PLANE_SUMS for the others.
 */
export function gatedPlaneSums(block: usize, firstUnit: i32, endUnit: i32): void {
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const laneCount = channelsLast ? word(block, CHANNELS) : 1;
  const outWidth = word(block, OUT_SIZE + 2);
  const outerRows = rowsPerOuter(block);
  const taps = word(block, KERNEL) * word(block, KERNEL + 1) * word(block, KERNEL + 2);
  const twoByTwo = taps == 4;
  const planeBytes = <usize>(outerRows * outWidth) << 3;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    for (let lane = 0; lane < laneCount; lane++) {
      const plane = unit * laneCount + lane;
      const slots = pointer(block, PLANE_SUMS) + (<usize>(plane * taps) << 3);
      memory.fill(slots, 0, <usize>taps << 3);
      let factor = pointer(block, SCRATCH) + <usize>plane * planeBytes;
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
  }
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
