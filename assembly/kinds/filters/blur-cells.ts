// BlurPool's per-cell arithmetic (blur.ts and blur-gather.ts list the taps): a cell's weighted sum over
// its tap list, read from f32 values (the forward) or from values already promoted to f64 (the
// backward's per-sample gradient), and the promotion itself. Sums run in f64 in the
// reference's order and round to f32 once; each product is exact (see blur.ts), so a fused
// multiply-add gives the reference's bits.
import { multiplyAdd } from './multiply-add';

/** Bytes of one listed tap: the element offset (i32, padded) and the weight (f64). */
export const TAP_BYTES: usize = 16;

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
export function blurCell(input: usize, output: usize, list: usize, count: i32, channels: i32): void {
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

/**
 * blurCellWide's sums for sixteen channels: eight independent f64x2 chains, as sixteenChannels. Its own
 * copy: one body for both with the loads chosen by a constant flag computed their addresses (no
 * immediate offsets) and measured 3–5% slower on the seed shape.
 */
@inline
function sixteenWideChannels(input: usize, output: usize, list: usize, count: i32): void {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let c = f64x2.splat(0);
  let d = f64x2.splat(0);
  let e = f64x2.splat(0);
  let f = f64x2.splat(0);
  let g = f64x2.splat(0);
  let h = f64x2.splat(0);
  for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
    const at = input + (<usize>load<i32>(entry) << 3);
    const weight = v128.load64_splat(entry, 8);
    a = multiplyAdd(weight, v128.load(at), a);
    b = multiplyAdd(weight, v128.load(at, 16), b);
    c = multiplyAdd(weight, v128.load(at, 32), c);
    d = multiplyAdd(weight, v128.load(at, 48), d);
    e = multiplyAdd(weight, v128.load(at, 64), e);
    f = multiplyAdd(weight, v128.load(at, 80), f);
    g = multiplyAdd(weight, v128.load(at, 96), g);
    h = multiplyAdd(weight, v128.load(at, 112), h);
  }
  v128.store(output, demote(a, b));
  v128.store(output, demote(c, d), 16);
  v128.store(output, demote(e, f), 32);
  v128.store(output, demote(g, h), 48);
}

/**
 * blurCell over values already promoted to f64 (`input` and the list's offsets count f64 elements; the
 * backward's per-sample gradient, blur-gather.ts): the same products and sums in the same order.
 */
export function blurCellWide(input: usize, output: usize, list: usize, count: i32, channels: i32): void {
  let channel = 0;
  for (; channel + 16 <= channels; channel += 16)
    sixteenWideChannels(input + (<usize>channel << 3), output + (<usize>channel << 2), list, count);
  for (; channel + 4 <= channels; channel += 4) {
    let low = f64x2.splat(0);
    let high = f64x2.splat(0);
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES) {
      const at = input + (<usize>(load<i32>(entry) + channel) << 3);
      const weight = v128.load64_splat(entry, 8);
      low = multiplyAdd(weight, v128.load(at), low);
      high = multiplyAdd(weight, v128.load(at, 16), high);
    }
    v128.store(output + (<usize>channel << 2), demote(low, high));
  }
  for (; channel < channels; channel++) {
    let sum: f64 = 0;
    for (let entry = list, end = list + <usize>count * TAP_BYTES; entry < end; entry += TAP_BYTES)
      sum += load<f64>(entry, 8) * load<f64>(input + (<usize>(load<i32>(entry) + channel) << 3));
    store<f32>(output + (<usize>channel << 2), <f32>sum);
  }
}

/** `count` f32 values at `source` promoted to f64 at `target`. */
export function promoteRow(source: usize, target: usize, count: i32): void {
  let index = 0;
  for (; index + 4 <= count; index += 4) {
    const value = v128.load(source + (<usize>index << 2));
    v128.store(target + (<usize>index << 3), f64x2.promote_low_f32x4(value));
    v128.store(target + (<usize>index << 3), promoteHigh(value), 16);
  }
  for (; index < count; index++) store<f64>(target + (<usize>index << 3), <f64>load<f32>(source + (<usize>index << 2)));
}
