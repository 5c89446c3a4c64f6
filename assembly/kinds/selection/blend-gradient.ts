// The weight gradients of mixed and gated pooling, summed as the reference sums them: into float32
// slots, one window after another in plane-major order. That order is one chain per slot, so these
// run on one thread, after blendBackward has left each window's factor in the f64 scratch.
import { CHANNELS, CHANNELS_LAST, KERNEL, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { outerCount } from '../../pool/rows';
import { windowEntry } from '../../pool/tables';
import { beginOutputRow, cellBytes, columnBytes, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import {
  beginRowTaps, beginWindow, rowsPerOuter, SCRATCH, SHARED_WEIGHTS, tapRow, tapSlice, WEIGHT_GRADIENT, windowColumns,
  windowCount, windowDense, windowFirstTap, windowStart,
} from './window';

/** Mixed: ∂y/∂a summed per slot (the layer's one, or the plane's channel). Run as (block, 0, 1). */
export function mixedAlphaGradient(block: usize, _first: i32, _end: i32): void {
  const channels = word(block, CHANNELS);
  const planes = outerCount(block) * (word(block, CHANNELS_LAST) ? channels : 1);
  const spatial = <usize>word(block, OUT_SIZE) * <usize>word(block, OUT_SIZE + 1) * <usize>word(block, OUT_SIZE + 2);
  const shared = word(block, SHARED_WEIGHTS) != 0;
  let factor = pointer(block, SCRATCH);
  for (let plane = 0; plane < planes; plane++) {
    const slot = pointer(block, WEIGHT_GRADIENT) + (shared ? 0 : <usize>(plane % channels) << 2);
    let sum = load<f32>(slot);
    for (let cell: usize = 0; cell < spatial; cell++, factor += 8) sum = <f32>(<f64>sum + load<f64>(factor));
    store<f32>(slot, sum);
  }
}

/** Gated: ∂y/∂w_k = factor·x_k summed per slot, window after window. Run as (block, 0, 1). */
export function gatedWeightGradient(block: usize, _first: i32, _end: i32): void {
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const channels = word(block, CHANNELS);
  const laneCount = channelsLast ? channels : 1;
  const outWidth = word(block, OUT_SIZE + 2);
  const outerRows = rowsPerOuter(block);
  const shared = word(block, SHARED_WEIGHTS) != 0;
  const taps = word(block, KERNEL) * word(block, KERNEL + 1) * word(block, KERNEL + 2);
  const twoByTwo = taps == 4;
  let factor = pointer(block, SCRATCH);
  for (let unit = 0; unit < outerCount(block); unit++) {
    for (let lane = 0; lane < laneCount; lane++) {
      const channel = channelsLast ? lane : unit % channels;
      const slots = pointer(block, WEIGHT_GRADIENT) + (shared ? 0 : <usize>(channel * taps) << 2);
      // A 2x2 kernel's four slots stay in locals over the lane's dense windows (the same float32
      // roundings in the same order, without a store and a reload per term), in memory for the others.
      let s0 = load<f32>(slots);
      let s1 = twoByTwo ? load<f32>(slots, 4) : 0;
      let s2 = twoByTwo ? load<f32>(slots, 8) : 0;
      let s3 = twoByTwo ? load<f32>(slots, 12) : 0;
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
            s0 = <f32>(<f64>s0 + term * <f64>load<f32>(start));
            s1 = <f32>(<f64>s1 + term * <f64>load<f32>(start + cellBytes));
            s2 = <f32>(<f64>s2 + term * <f64>load<f32>(start + rowBytes));
            s3 = <f32>(<f64>s3 + term * <f64>load<f32>(start + rowBytes + cellBytes));
            continue;
          }
          if (twoByTwo) storeSlots(slots, s0, s1, s2, s3);
          addWindowTerms(start, slots, term);
          if (twoByTwo) {
            s0 = load<f32>(slots);
            s1 = load<f32>(slots, 4);
            s2 = load<f32>(slots, 8);
            s3 = load<f32>(slots, 12);
          }
        }
      }
      if (twoByTwo) storeSlots(slots, s0, s1, s2, s3);
    }
  }
}

@inline
export function storeSlots(slots: usize, s0: f32, s1: f32, s2: f32, s3: f32): void {
  store<f32>(slots, s0);
  store<f32>(slots, s1, 4);
  store<f32>(slots, s2, 8);
  store<f32>(slots, s3, 12);
}

/** Adds factor·x_k to slot k of `slots` for each in-bounds tap k of the window begun last, in window order. */
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
        const slot = slots + (<usize>(rowTap + kx) << 2);
        store<f32>(slot, <f32>(<f64>load<f32>(slot) + factor * <f64>load<f32>(tap)));
      }
    }
  }
}
