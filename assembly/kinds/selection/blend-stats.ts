// What mixed and gated pooling share (src/kernels/reference/extra/collect.ts windowStats, gated-pool.ts
// gateInput): a window's max (first of ties, the last NaN, as max pooling), its position, and its
// in-bounds mean, in float64 as the reference; and the gate sigmoid(wᵀx) (gate.ts).
import { CHANNELS, CHANNELS_LAST, pointer, word } from '../../pool/arguments';
import { outer } from '../../pool/rows';
import {
  cellBytes, columnBytes, columnCells, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { gateSigmoidLanes } from './gate';
import { takes } from '../../pool/max-lanes';
import { high, loadQuad, low, ZERO } from './lanes';
import {
  CHANNEL_TABLE, tapRow, tapSlice, windowColumns, windowCount, windowDense, windowFirstTap, windowTopLeft,
} from './window';

// windowStats's results for the window last asked: the max (float32 lanes), its spatial index,
// and the mean's float64 halves.
export let maxima: v128 = ZERO;
export let maxIndex: v128 = ZERO;
export let meansLow: v128 = ZERO;
export let meansHigh: v128 = ZERO;

/** Max, its spatial index and the mean of the window from `start`, `count` channels. */
export function windowStats(start: usize, count: i32): void {
  if (windowDense) {
    denseStats(start, count);
    return;
  }
  let best = f32x4.splat(-Infinity);
  let index = i32x4.splat(windowTopLeft);
  let sumLow = ZERO;
  let sumHigh = ZERO;
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < columns; kx++, tap += columnStep, tapIndex += columnCells) {
        const value = loadQuad(tap, count);
        const take = takes(value, best); // max pooling's rule
        best = v128.bitselect(value, best, take);
        index = v128.bitselect(i32x4.splat(tapIndex), index, take);
        sumLow = f64x2.add(sumLow, low(value));
        sumHigh = f64x2.add(sumHigh, high(value));
      }
    }
  }
  const empty = windowCount == 0;
  const divisor = f64x2.splat(<f64>windowCount);
  maxima = empty ? f32x4.splat(0) : best;
  maxIndex = index;
  meansLow = empty ? ZERO : f64x2.div(sumLow, divisor);
  meansHigh = empty ? ZERO : f64x2.div(sumHigh, divisor);
}

/** windowStats of a dense 2x2 window (window.ts's windowDense), in straight-line code: the same operations in the same order. */
@inline
function denseStats(start: usize, count: i32): void {
  const a = loadQuad(start, count);
  const b = loadQuad(start + cellBytes, count);
  const c = loadQuad(start + rowBytes, count);
  const d = loadQuad(start + rowBytes + cellBytes, count);
  let best = a;
  let index = i32x4.splat(windowTopLeft);
  let take = takes(b, best);
  best = v128.bitselect(b, best, take);
  index = v128.bitselect(i32x4.splat(windowTopLeft + 1), index, take);
  take = takes(c, best);
  best = v128.bitselect(c, best, take);
  index = v128.bitselect(i32x4.splat(windowTopLeft + rowCells), index, take);
  take = takes(d, best);
  best = v128.bitselect(d, best, take);
  index = v128.bitselect(i32x4.splat(windowTopLeft + rowCells + 1), index, take);
  const divisor = f64x2.splat(4);
  maxima = best;
  maxIndex = index;
  meansLow = f64x2.div(f64x2.add(f64x2.add(f64x2.add(f64x2.add(ZERO, low(a)), low(b)), low(c)), low(d)), divisor);
  meansHigh = f64x2.div(f64x2.add(f64x2.add(f64x2.add(f64x2.add(ZERO, high(a)), high(b)), high(c)), high(d)), divisor);
}

/** The channel of lane 0: `channel` in NHWC, the plane's channel in NCHW. */
@inline
export function laneChannel(block: usize, channel: i32): i32 {
  return word(block, CHANNELS_LAST) ? channel : outer % word(block, CHANNELS);
}

/** Where channel `channel`'s weights start in the [taps, channels] float32 table; tap t is t·tableStep bytes on. */
@inline
export function weightColumn(block: usize, channel: i32): usize {
  return pointer(block, CHANNEL_TABLE) + (<usize>channel << 2);
}

@inline
export function tableStep(block: usize): usize {
  return <usize>word(block, CHANNELS) << 2;
}

/** gateLanes's high half (its result is the low one). */
export let gateHigh: v128 = ZERO;

/** sigmoid(wᵀx) over the window's in-bounds taps, in window order, from +0 (gated-pool.ts). */
export function gateLanes(block: usize, start: usize, channel: i32, count: i32): v128 {
  let totalLow = ZERO;
  let totalHigh = ZERO;
  const weights = weightColumn(block, channel);
  const step = tableStep(block);
  if (windowDense) {
    // The four taps of a dense 2x2 window (window.ts's windowDense), in window order from +0; its
    // kernel positions are windowFirstTap, + 1, + tapRow and + tapRow + 1 (a larger kernel's window
    // cut to 2x2 by the edge starts past position 0).
    for (let tap = 0; tap < 4; tap++) {
      const position = windowFirstTap + (tap & 1) + (tap & 2 ? tapRow : 0);
      const weight = loadQuad(weights + <usize>position * step, count);
      const value = loadQuad(start + (tap & 1 ? cellBytes : 0) + (tap & 2 ? rowBytes : 0), count);
      totalLow = f64x2.add(totalLow, f64x2.mul(low(weight), low(value)));
      totalHigh = f64x2.add(totalHigh, f64x2.mul(high(weight), high(value)));
    }
    return gates(totalLow, totalHigh);
  }
  let slicePointer = start;
  let sliceTap = windowFirstTap;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceTap += tapSlice) {
    let rowPointer = slicePointer;
    let rowTap = sliceTap;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowTap += tapRow) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes) {
        const weight = loadQuad(weights + <usize>(rowTap + kx) * step, count);
        const value = loadQuad(tap, count);
        totalLow = f64x2.add(totalLow, f64x2.mul(low(weight), low(value)));
        totalHigh = f64x2.add(totalHigh, f64x2.mul(high(weight), high(value)));
      }
    }
  }
  return gates(totalLow, totalHigh);
}

/** The gates of the inputs' f64 halves (gate.ts), as f64 halves: the low one returned, the high one in gateHigh. */
@inline
function gates(totalLow: v128, totalHigh: v128): v128 {
  const lanes = gateSigmoidLanes(totalLow, totalHigh);
  gateHigh = high(lanes);
  return low(lanes);
}
