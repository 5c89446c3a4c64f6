// What the weighted kinds' kernels share: four channels' values as one vector (or one channel's
// value in every lane, for the channels past the last multiple of four), each window's taps walked
// with walk.ts's steps, the window max, and the parameter's lanes.
import { CHANNELS, CHANNELS_LAST, OUTPUT, pointer, word } from '../../pool/arguments';
import { outer } from '../../pool/rows';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { PER_CHANNEL, ROW_TERMS, STATS, STATS_PLANE_BYTES, WEIGHTS } from './arguments';
import { currentUnit } from './walks';

/** Four lanes from `at`, or (one channel) the value at `at` in every lane. */
@inline
export function loadLanes(at: usize, full: bool): v128 {
  return full ? v128.load(at) : f32x4.splat(load<f32>(at));
}

/** Stores four lanes at `at`, or (one channel) lane 0. */
@inline
export function storeLanes(at: usize, value: v128, full: bool): void {
  if (full) v128.store(at, value);
  else store<f32>(at, f32x4.extract_lane(value, 0));
}

/** Stores a 2×2 window's four cells' lanes from `at` (taps `right` and `down` bytes apart). */
@inline
export function storeFourTaps(at: usize, right: usize, down: usize, a: v128, b: v128, c: v128, d: v128): void {
  v128.store(at, a);
  v128.store(at + right, b);
  v128.store(at + down, c);
  v128.store(at + down + right, d);
}

/**
 * A saving forward's two channel quads' window values from output element `at` on: y at the output
 * and in the first STATS plane, `second` and `third` (each quad's pair of lanes) in the next two.
 */
@inline
export function saveWindowPair(block: usize, at: usize, y: v128, nextY: v128, second: v128, nextSecond: v128, third: v128, nextThird: v128): void {
  const output = pointer(block, OUTPUT) + (at << 2);
  const stats = pointer(block, STATS) + (at << 2);
  const plane = <usize>word(block, STATS_PLANE_BYTES);
  v128.store(output, y);
  v128.store(output, nextY, 16);
  v128.store(stats, y);
  v128.store(stats, nextY, 16);
  v128.store(stats + plane, second);
  v128.store(stats + plane, nextSecond, 16);
  v128.store(stats + 2 * plane, third);
  v128.store(stats + 2 * plane, nextThird, 16);
}

/**
 * Whether the window is 2×2 (one slice, two rows of two taps: 2D pooling's usual window): the kernels
 * unroll its four taps (start, + columnBytes, + rowBytes, + both): the general walk's three loops
 * cost SoftPool's forward about as much as its e^x did (39 → 21 ms on [32,112,112,64], one thread).
 */
@inline
export function isFourTaps(columns: i32): bool {
  return columns == 2 && rows == 2 && slices == 1;
}

/**
 * The lane-wise max over the window's taps from `start`; NaN in a lane wins. −∞ for no tap.
 * pmax (one instruction on x86, where max is several) with NaN lanes noted apart.
 */
@inline
export function windowMax(start: usize, columns: i32, full: bool): v128 {
  let largest = f32x4.splat(-Infinity);
  let nan = f32x4.splat(0);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        largest = f32x4.pmax(largest, value);
        nan = v128.or(nan, f32x4.ne(value, value));
      }
    }
  }
  return v128.or(largest, nan); // all ones: a NaN
}

// windowRange's results: the lane-wise largest and smallest value and the NaN lanes (per instance, so per thread).
export let rangeLargest: v128 = f32x4.splat(0);
export let rangeSmallest: v128 = f32x4.splat(0);
export let rangeNaN: v128 = f32x4.splat(0);

/**
 * The lane-wise largest and smallest of max(x, `floor`) over the window's taps from `start` (±∞ for
 * no tap), and the lanes where some x is NaN (GeM's c = max(x, ε), LSE's x with floor −∞).
 */
@inline
export function windowRange(start: usize, columns: i32, full: bool, floor: f32): void {
  // In locals, stored once (V8 keeps a module's globals in memory: a store and a load per update).
  if (isFourTaps(columns)) {
    const a = loadLanes(start, full);
    const b = loadLanes(start + columnBytes, full);
    const c = loadLanes(start + rowBytes, full);
    const d = loadLanes(start + rowBytes + columnBytes, full);
    const bottom = f32x4.splat(floor);
    // pmax(x, floor) keeps a NaN x; pmax and pmin pass a NaN first operand on, as the loop's fold.
    const clampedA = f32x4.pmax(a, bottom);
    const clampedB = f32x4.pmax(b, bottom);
    const clampedC = f32x4.pmax(c, bottom);
    const clampedD = f32x4.pmax(d, bottom);
    const lowest = f32x4.splat(-Infinity);
    const highest = f32x4.splat(Infinity);
    rangeLargest = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, clampedA), clampedB), clampedC), clampedD);
    rangeSmallest = f32x4.pmin(f32x4.pmin(f32x4.pmin(f32x4.pmin(highest, clampedA), clampedB), clampedC), clampedD);
    rangeNaN = v128.or(v128.or(f32x4.ne(a, a), f32x4.ne(b, b)), v128.or(f32x4.ne(c, c), f32x4.ne(d, d)));
    return;
  }
  let largest = f32x4.splat(-Infinity);
  let smallest = f32x4.splat(Infinity);
  let nan = f32x4.splat(0);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, full);
        const clamped = f32x4.pmax(value, f32x4.splat(floor)); // keeps a NaN value
        largest = f32x4.pmax(largest, clamped);
        smallest = f32x4.pmin(smallest, clamped);
        nan = v128.or(nan, f32x4.ne(value, value));
      }
    }
  }
  rangeLargest = largest;
  rangeSmallest = smallest;
  rangeNaN = nan;
}

/** The parameter's lanes for channels [channel, channel + 4) (or channel alone) of the current row (rows.ts's outer). */
@inline
export function weightLanes(block: usize, channel: i32, full: bool): v128 {
  return parameterLanes(block, channel, full, WEIGHTS, PER_CHANNEL);
}

/** weightLanes of the parameter at word `weightsWord`, one per channel where word `perChannelWord` is 1. */
@inline
export function parameterLanes(block: usize, channel: i32, full: bool, weightsWord: i32, perChannelWord: i32): v128 {
  const weights = pointer(block, weightsWord);
  if (!word(block, perChannelWord)) return f32x4.splat(load<f32>(weights));
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const slot = channelsLast ? channel : outer % word(block, CHANNELS);
  return loadLanes(weights + (<usize>slot << 2), full && channelsLast);
}

/** Adds four lanes (or lane 0) to the current row's float64 parameter-gradient terms of `channel` on. */
@inline
export function addRowTerms(block: usize, channel: i32, full: bool, values: v128): void {
  addTerms(block, <usize>currentUnit * <usize>group + <usize>channel, full, values);
}

/** Adds four lanes (or lane 0) to the float64 parameter-gradient terms from slot `index` on. */
@inline
export function addTerms(block: usize, index: usize, full: bool, values: v128): void {
  const terms = pointer(block, ROW_TERMS) + (index << 3);
  if (full) {
    v128.store(terms, f64x2.add(v128.load(terms), f64x2.promote_low_f32x4(values)));
    const high = i32x4.shuffle(values, values, 2, 3, 0, 1);
    v128.store(terms, f64x2.add(v128.load(terms, 16), f64x2.promote_low_f32x4(high)), 16);
  } else {
    store<f64>(terms, load<f64>(terms) + <f64>f32x4.extract_lane(values, 0));
  }
}

/** Adds the sum of four lanes (or lane 0 alone), in float64, to the parameter-gradient term `index`. */
@inline
export function addTermSum(block: usize, index: usize, full: bool, values: v128): void {
  const terms = pointer(block, ROW_TERMS) + (index << 3);
  let sum = <f64>f32x4.extract_lane(values, 0);
  if (full) {
    sum += <f64>f32x4.extract_lane(values, 1);
    sum += <f64>f32x4.extract_lane(values, 2);
    sum += <f64>f32x4.extract_lane(values, 3);
  }
  store<f64>(terms, load<f64>(terms) + sum);
}

/** x − m, 0 where x = m (also for an infinite m, where x − m would be NaN): a softmax's shifted value. */
@inline
export function offsetLanes(value: v128, m: v128): v128 {
  return v128.andnot(f32x4.sub(value, m), f32x4.eq(value, m));
}

/** A cell's term e·d for its weight e, 0 where e is 0 (a −∞ cell's 0·(−∞), an infinite c's 0·∞, would be NaN). */
@inline
export function weightedTerm(weight: v128, offset: v128): v128 {
  return v128.and(f32x4.mul(weight, offset), f32x4.gt(weight, f32x4.splat(0)));
}

/** Lanes that are neither NaN nor ±∞ (all ones), as a mask. */
@inline
export function finiteLanes(value: v128): v128 {
  return f32x4.eq(f32x4.sub(value, value), f32x4.splat(0));
}

/**
 * sum/n lane by lane for a window of n cells: where n is a power of two, the product by 1/n (exact),
 * the same bits as the division (both round the exact quotient once) without x86's slow division.
 */
@inline
export function perCell(sum: v128, cells: i32): v128 {
  if (cells > 0 && (cells & (cells - 1)) == 0) return f32x4.mul(sum, f32x4.splat(<f32>1 / <f32>cells));
  return f32x4.div(sum, f32x4.splat(<f32>cells));
}

/** perCell in float64 lanes (windowMeanLanes' sums). */
@inline
function perCellWide(sum: v128, cells: i32): v128 {
  if (cells > 0 && (cells & (cells - 1)) == 0) return f64x2.mul(sum, f64x2.splat(1 / <f64>cells));
  return f64x2.div(sum, f64x2.splat(<f64>cells));
}

/** x̃ − float32(x̃) of the last windowMeanLanes: the float32 mean's rounding (per instance, so per thread). */
export let meanResidual: v128 = f32x4.splat(0);

/**
 * The lane-wise mean of the window's taps from `start`, summed in float64 as the reference does (so
 * an exact 0 stays 0 and no sum overflows), rounded to float32; sets meanResidual. NaN or ±∞ where
 * a tap is not finite.
 */
@inline
export function windowMeanLanes(start: usize, columns: i32, full: bool): v128 {
  let low = f64x2.splat(0);
  let high = f64x2.splat(0);
  if (isFourTaps(columns)) {
    // The four taps unrolled (isFourTaps), in the loops' order.
    const a = loadLanes(start, full);
    const b = loadLanes(start + columnBytes, full);
    const c = loadLanes(start + rowBytes, full);
    const d = loadLanes(start + rowBytes + columnBytes, full);
    low = f64x2.add(f64x2.add(f64x2.add(f64x2.add(low, f64x2.promote_low_f32x4(a)), f64x2.promote_low_f32x4(b)), f64x2.promote_low_f32x4(c)), f64x2.promote_low_f32x4(d));
    high = f64x2.add(f64x2.add(f64x2.add(f64x2.add(high, highHalf(a)), highHalf(b)), highHalf(c)), highHalf(d));
  } else {
    let slicePointer = start;
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = loadLanes(tap, full);
          low = f64x2.add(low, f64x2.promote_low_f32x4(value));
          high = f64x2.add(high, highHalf(value));
        }
      }
    }
  }
  const cells = slices * rows * columns;
  const lowMean = perCellWide(low, cells);
  const highMean = perCellWide(high, cells);
  const mean = narrowLanes(lowMean, highMean);
  meanResidual = narrowLanes(f64x2.sub(lowMean, f64x2.promote_low_f32x4(mean)), f64x2.sub(highMean, highHalf(mean)));
  return mean;
}

/** Lanes 2 and 3 as float64. */
@inline
function highHalf(value: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(value, value, 2, 3, 0, 1));
}

/** Four float32 lanes from two float64 pairs (lanes 0-1, 2-3), each rounded. */
@inline
function narrowLanes(low: v128, high: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
}

/** Adds `value` to the lanes parked `parked` bytes past each of the window's taps from `start`. */
@inline
export function addToParked(start: usize, columns: i32, full: bool, parked: usize, value: v128): void {
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer + parked;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes) storeLanes(tap, f32x4.add(loadLanes(tap, full), value), full);
    }
  }
}
