// What mixed and gated pooling share (src/kernels/reference/extra/collect.ts windowStats, gated-pool.ts
// gateInput): a window's max (first of ties, the last NaN, as max pooling), its position, and its
// in-bounds mean, in float64 as the reference; and the gate sigmoid(wᵀx) with V8's exp.
import { CHANNELS, CHANNELS_LAST, pointer, word } from '../../pool/arguments';
import { outer } from '../../pool/rows';
import {
  columnBytes, columnCells, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { exactExp } from './exp';
import { loadLanes, nanLanes, ZERO } from './lanes';
import { CHANNEL_TABLE, tapRow, tapSlice, windowColumns, windowCount, windowFirstTap, windowTopLeft } from './window';

// windowStats's results for the window last asked.
export let maxima: v128 = ZERO;
export let maxIndex: v128 = ZERO;
export let means: v128 = ZERO;

/** Max, its spatial index (i64 lanes) and the mean of the window from `start`, one or two channels. */
export function windowStats(start: usize, pair: bool): void {
  let best = f64x2.splat(-Infinity);
  let index = i64x2.splat(windowTopLeft);
  let sum = ZERO;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells) {
        const value = loadLanes(tap, pair);
        const take = v128.or(f64x2.gt(value, best), nanLanes(value));
        best = v128.bitselect(value, best, take);
        index = v128.bitselect(i64x2.splat(tapIndex), index, take);
        sum = f64x2.add(sum, value);
      }
    }
  }
  const empty = windowCount == 0;
  maxima = empty ? ZERO : best;
  maxIndex = index;
  means = empty ? ZERO : f64x2.div(sum, f64x2.splat(<f64>windowCount));
}

/** The channel of lane 0: `channel` in NHWC, the plane's channel in NCHW. */
@inline
export function laneChannel(block: usize, channel: i32): i32 {
  return word(block, CHANNELS_LAST) ? channel : outer % word(block, CHANNELS);
}

/** The [taps, channels] float32 table's lanes at kernel position `tap` for channel `channel` onwards. */
@inline
export function weightLanes(block: usize, tap: i32, channel: i32, pair: bool): v128 {
  const address = pointer(block, CHANNEL_TABLE) + (<usize>(tap * word(block, CHANNELS) + channel) << 2);
  return loadLanes(address, pair);
}

/** sigmoid(wᵀx) over the window's in-bounds taps, in window order, from +0 (gated-pool.ts). */
export function gateLanes(block: usize, start: usize, channel: i32, pair: bool): v128 {
  let total = ZERO;
  let slicePointer = start;
  let sliceTap = windowFirstTap;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceTap += tapSlice) {
    let rowPointer = slicePointer;
    let rowTap = sliceTap;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowTap += tapRow) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes) {
        total = f64x2.add(total, f64x2.mul(weightLanes(block, rowTap + kx, channel, pair), loadLanes(tap, pair)));
      }
    }
  }
  const low = 1 / (1 + exactExp(-f64x2.extract_lane(total, 0)));
  const high = pair ? 1 / (1 + exactExp(-f64x2.extract_lane(total, 1))) : 0;
  return f64x2.replace_lane(f64x2.splat(low), 1, high);
}
