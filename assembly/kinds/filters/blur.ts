// BlurPool's depthwise strided binomial filter, forward and backward (reference:
// src/kernels/reference/extra/blur-pool.ts), bit for bit: each output cell's taps are listed in the
// reference's order (row-major over depth, height, width; taps reading a zero skipped), weights are
// (f_depth·f_height)·f_width in f64, sums run in f64 in tap order and round to f32 once, as the
// reference's JavaScript numbers do (a weight has at most 13 significant bits and a value 24, so each
// product is exact in f64 and a fused multiply-add rounds as the product then the sum). Vectorized over
// the contiguous channels of a cell (f32x4 loads promoted to two f64x2), eight at a time; channelsFirst
// planes arrive as samples of one channel.
import { zeroBytes } from '../../pool/simd';
import { multiplyAdd } from './multiply-add';
import { currentThreadSlot } from '../../shared/thread-slot';
import {
  CHANNELS, FILTERS_BYTES, IN_SIZE, OUT_SIZE, SAMPLES, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TABLES, TAPS, TARGET,
  pointer, word,
} from './arguments';

/** Bytes of one listed tap: the element offset (i32, padded) and the weight (f64). */
const TAP_BYTES: usize = 16;

/**
 * Lists the taps of output cell (slice, row, column) into `list` in the reference's order: element
 * offsets from the sample's first input element, and weights; returns how many.
 */
function listTaps(block: usize, list: usize, slice: i32, row: i32, column: i32): i32 {
  const channels = word(block, CHANNELS);
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  const depthTaps = word(block, TAPS);
  const heightTaps = word(block, TAPS + 1);
  const widthTaps = word(block, TAPS + 2);
  const depthTable = pointer(block, TABLES) + (<usize>(slice * depthTaps) << 2);
  const heightTable = pointer(block, TABLES) + (<usize>(word(block, OUT_SIZE) * depthTaps + row * heightTaps) << 2);
  const widthTable =
    pointer(block, TABLES) +
    (<usize>(word(block, OUT_SIZE) * depthTaps + word(block, OUT_SIZE + 1) * heightTaps + column * widthTaps) << 2);
  let count = 0;
  for (let depthTap = 0; depthTap < depthTaps; depthTap++) {
    const source = load<i32>(depthTable + (<usize>depthTap << 2));
    if (source < 0) continue;
    const depthWeight = load<f64>(block + FILTERS_BYTES + (<usize>depthTap << 3));
    for (let heightTap = 0; heightTap < heightTaps; heightTap++) {
      const sourceRow = load<i32>(heightTable + (<usize>heightTap << 2));
      if (sourceRow < 0) continue;
      const rowWeight = depthWeight * load<f64>(block + FILTERS_BYTES + 64 + (<usize>heightTap << 3));
      const rowStart = (source * inHeight + sourceRow) * inWidth;
      for (let widthTap = 0; widthTap < widthTaps; widthTap++) {
        const sourceColumn = load<i32>(widthTable + (<usize>widthTap << 2));
        if (sourceColumn < 0) continue;
        const entry = list + <usize>count * TAP_BYTES;
        store<i32>(entry, (rowStart + sourceColumn) * channels);
        store<f64>(entry, rowWeight * load<f64>(block + FILTERS_BYTES + 128 + (<usize>widthTap << 3)), 8);
        count++;
      }
    }
  }
  return count;
}

// The current row's shared list (per instance globals, so per thread): the first input column of the
// column it was listed for (−1: none), its length, and the element shift of the latest column's taps.
let listedStart: i32 = -1;
let listedCount: i32 = 0;
let shiftElements: i32 = 0;

/** The first input column `column`'s width taps read when they are consecutive and inside the input, else −1. */
function regularStart(block: usize, column: i32): i32 {
  const widthTaps = word(block, TAPS + 2);
  const offset = word(block, OUT_SIZE) * word(block, TAPS) + word(block, OUT_SIZE + 1) * word(block, TAPS + 1);
  const table = pointer(block, TABLES) + (<usize>(offset + column * widthTaps) << 2);
  const start = load<i32>(table);
  for (let tap = 1; tap < widthTaps; tap++) if (load<i32>(table + (<usize>tap << 2)) != start + tap) return -1;
  return start;
}

/**
 * The taps of cell (slice, row, column), with listedStart = −1 at each row's start: the columns away
 * from the edges read the same taps shifted along the row, so their list is made once per row and
 * each reuses it shifted by shiftElements (same order, same weights); an edge column lists its own.
 */
function columnTaps(block: usize, list: usize, slice: i32, row: i32, column: i32): i32 {
  const start = regularStart(block, column);
  if (start >= 0 && listedStart >= 0) {
    shiftElements = (start - listedStart) * word(block, CHANNELS);
    return listedCount;
  }
  shiftElements = 0;
  listedStart = start;
  listedCount = listTaps(block, list, slice, row, column);
  return listedCount;
}

/** This thread's tap list. */
@inline
function threadList(block: usize): usize {
  return pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SCRATCH_SLOT_BYTES);
}

/** Two f64x2 halves back into one f32x4 (each rounded once). */
@inline
function demote(low: v128, high: v128): v128 {
  return i64x2.shuffle(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 2);
}

/** The upper two f32 lanes as f64x2. */
@inline
function promoteHigh(value: v128): v128 {
  return f64x2.promote_low_f32x4(i64x2.shuffle(value, value, 1, 1));
}

/**
 * blurCell's sums for sixteen channels: eight independent f64x2 chains, so the multiply-adds' latency
 * (each tap's add waits on the previous tap's) is spread over twice the lanes of an eight-channel block.
 */
@inline
function sixteenChannels(input: usize, output: usize, list: usize, count: i32): void {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let c = f64x2.splat(0);
  let d = f64x2.splat(0);
  let e = f64x2.splat(0);
  let f = f64x2.splat(0);
  let g = f64x2.splat(0);
  let h = f64x2.splat(0);
  for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
    const at = input + (<usize>load<i32>(entry) << 2);
    const weight = v128.load64_splat(entry, 8);
    const first = v128.load(at);
    const second = v128.load(at, 16);
    const third = v128.load(at, 32);
    const fourth = v128.load(at, 48);
    a = multiplyAdd(weight, f64x2.promote_low_f32x4(first), a);
    b = multiplyAdd(weight, promoteHigh(first), b);
    c = multiplyAdd(weight, f64x2.promote_low_f32x4(second), c);
    d = multiplyAdd(weight, promoteHigh(second), d);
    e = multiplyAdd(weight, f64x2.promote_low_f32x4(third), e);
    f = multiplyAdd(weight, promoteHigh(third), f);
    g = multiplyAdd(weight, f64x2.promote_low_f32x4(fourth), g);
    h = multiplyAdd(weight, promoteHigh(fourth), h);
  }
  v128.store(output, demote(a, b));
  v128.store(output, demote(c, d), 16);
  v128.store(output, demote(e, f), 32);
  v128.store(output, demote(g, h), 48);
}

/** output[channel] = Σ_taps weight · input[offset + channel], in f64, for every channel of one cell. */
function blurCell(input: usize, output: usize, list: usize, count: i32, channels: i32): void {
  let channel = 0;
  for (; channel + 16 <= channels; channel += 16) sixteenChannels(input + (<usize>channel << 2), output + (<usize>channel << 2), list, count);
  for (; channel + 8 <= channels; channel += 8) {
    let a = f64x2.splat(0);
    let b = f64x2.splat(0);
    let c = f64x2.splat(0);
    let d = f64x2.splat(0);
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
      const at = input + (<usize>(load<i32>(entry) + channel) << 2);
      const weight = v128.load64_splat(entry, 8);
      const first = v128.load(at);
      const second = v128.load(at, 16);
      a = multiplyAdd(weight, f64x2.promote_low_f32x4(first), a);
      b = multiplyAdd(weight, promoteHigh(first), b);
      c = multiplyAdd(weight, f64x2.promote_low_f32x4(second), c);
      d = multiplyAdd(weight, promoteHigh(second), d);
    }
    v128.store(output + (<usize>channel << 2), demote(a, b));
    v128.store(output + (<usize>channel << 2), demote(c, d), 16);
  }
  for (; channel + 4 <= channels; channel += 4) {
    let low = f64x2.splat(0);
    let high = f64x2.splat(0);
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
      const value = v128.load(input + (<usize>(load<i32>(entry) + channel) << 2));
      const weight = v128.load64_splat(entry, 8);
      low = multiplyAdd(weight, f64x2.promote_low_f32x4(value), low);
      high = multiplyAdd(weight, promoteHigh(value), high);
    }
    v128.store(output + (<usize>channel << 2), demote(low, high));
  }
  for (; channel < channels; channel++) {
    let sum: f64 = 0;
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES)
      sum += load<f64>(entry, 8) * <f64>load<f32>(input + (<usize>(load<i32>(entry) + channel) << 2));
    store<f32>(output + (<usize>channel << 2), <f32>sum);
  }
}

/** gradInput[offset + channel] += weight · gradOutput[channel] for four channels, rounded to f32 per add. */
@inline
function scatterQuad(at: usize, weight: v128, gradientLow: v128, gradientHigh: v128): void {
  const value = v128.load(at);
  const low = multiplyAdd(weight, gradientLow, f64x2.promote_low_f32x4(value));
  v128.store(at, demote(low, multiplyAdd(weight, gradientHigh, promoteHigh(value))));
}

/** gradInput[offset + channel] += weight · gradOutput[channel], tap by tap, each add rounded to f32. */
function scatterCell(gradOutput: usize, gradInput: usize, list: usize, count: i32, channels: i32): void {
  let channel = 0;
  for (; channel + 8 <= channels; channel += 8) {
    const first = v128.load(gradOutput + (<usize>channel << 2));
    const second = v128.load(gradOutput + (<usize>channel << 2), 16);
    const a = f64x2.promote_low_f32x4(first);
    const b = promoteHigh(first);
    const c = f64x2.promote_low_f32x4(second);
    const d = promoteHigh(second);
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
      const at = gradInput + (<usize>(load<i32>(entry) + channel) << 2);
      const weight = v128.load64_splat(entry, 8);
      scatterQuad(at, weight, a, b);
      scatterQuad(at + 16, weight, c, d);
    }
  }
  for (; channel + 4 <= channels; channel += 4) {
    const gradient = v128.load(gradOutput + (<usize>channel << 2));
    const gradientLow = f64x2.promote_low_f32x4(gradient);
    const gradientHigh = promoteHigh(gradient);
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES)
      scatterQuad(gradInput + (<usize>(load<i32>(entry) + channel) << 2), v128.load64_splat(entry, 8), gradientLow, gradientHigh);
  }
  for (; channel < channels; channel++) {
    const gradient = <f64>load<f32>(gradOutput + (<usize>channel << 2));
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
      const at = gradInput + (<usize>(load<i32>(entry) + channel) << 2);
      store<f32>(at, <f32>(<f64>load<f32>(at) + load<f64>(entry, 8) * gradient));
    }
  }
}

/** Cells of one sample for sizes at `field` (IN_SIZE or OUT_SIZE). */
@inline
function cellsOf(block: usize, field: i32): usize {
  return <usize>word(block, field) * <usize>word(block, field + 1) * <usize>word(block, field + 2);
}

/** Output rows [firstUnit, endUnit) over (sample, slice, row). */
export function blurForwardRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const cellBytes = <usize>channels << 2;
  const list = threadList(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const sample = unit / (outDepth * outHeight);
    const slice = (unit / outHeight) % outDepth;
    const row = unit % outHeight;
    const input = pointer(block, SOURCE) + <usize>sample * cellsOf(block, IN_SIZE) * cellBytes;
    let output = pointer(block, TARGET) + <usize>unit * <usize>outWidth * cellBytes;
    listedStart = -1;
    for (let column = 0; column < outWidth; column++, output += cellBytes) {
      const count = columnTaps(block, list, slice, row, column);
      blurCell(input + (<usize>shiftElements << 2), output, list, count, channels);
    }
  }
}

/** Samples [firstUnit, endUnit): zeroes each sample's gradInput, then scatters its cells in output order. */
export function blurBackwardSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const cellBytes = <usize>channels << 2;
  const list = threadList(block);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const sampleBytes = cellsOf(block, IN_SIZE) * cellBytes;
    const gradInput = pointer(block, TARGET) + <usize>sample * sampleBytes;
    zeroBytes(gradInput, sampleBytes);
    let gradOutput = pointer(block, SOURCE) + <usize>sample * cellsOf(block, OUT_SIZE) * cellBytes;
    for (let slice = 0; slice < outDepth; slice++)
      for (let row = 0; row < outHeight; row++) {
        listedStart = -1;
        for (let column = 0; column < outWidth; column++, gradOutput += cellBytes) {
          const count = columnTaps(block, list, slice, row, column);
          scatterCell(gradOutput, gradInput + (<usize>shiftElements << 2), list, count, channels);
        }
      }
  }
}
