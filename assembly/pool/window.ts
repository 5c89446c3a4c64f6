// Window arithmetic along one axis, shared by every kernel: which taps of output cell o's window fall
// inside the input (pooling or adaptive windows), how many count for an average, and which output
// cells' windows hold a given input cell (for the gather form of the backward passes).
import {
  ADAPTIVE, COUNT_INCLUDE_PAD, DILATION, DIVISOR_OVERRIDE_BYTES, HAS_DIVISOR_OVERRIDE, IN_SIZE,
  KERNEL, OUT_SIZE, PAD_AFTER, PAD_BEFORE, STRIDE, word,
} from './arguments';

// Results of windowAlong for the axis last asked; callers copy them to locals at once. Wasm globals
// belong to the instance, so to the thread (static arrays would live in the shared memory).
export let first: i32 = 0; // input coordinate of tap 0 (may be negative)
export let tapStart: i32 = 0; // first in-bounds tap
export let tapEnd: i32 = 0; // one past the last in-bounds tap
export let step: i32 = 1; // coordinate step between taps (dilation)
export let padded: i32 = 0; // taps inside input plus padding

// Overflow: the TypeScript side (src/geometry/) lets no size, window span or padded input pass
// 2^31 - 1, and every sum and difference below stays within those; only the adaptive products
// o·In and x·Out can pass 2^31 (65536 × 32768 does), so they are formed in 64 bits.

/** ⌈numerator / denominator⌉ for denominator > 0, without numerator + denominator - 1 (which may pass 2^31). */
@inline
function ceilDivide(numerator: i32, denominator: i32): i32 {
  return numerator <= 0 ? -(-numerator / denominator) : (numerator - 1) / denominator + 1;
}

/** ⌊o·In/Out⌋: the first input cell of adaptive window o (PyTorch's start_index). */
@inline
function adaptiveStart(o: i32, inSize: i32, outSize: i32): i32 {
  return <i32>((<i64>o * <i64>inSize) / <i64>outSize);
}

/** ⌈(o + 1)·In/Out⌉: one past the last input cell of adaptive window o (PyTorch's end_index). */
@inline
function adaptiveEnd(o: i32, inSize: i32, outSize: i32): i32 {
  return <i32>((<i64>(o + 1) * <i64>inSize + <i64>(outSize - 1)) / <i64>outSize);
}

/** Sets first, tapStart, tapEnd, step and padded for output cell `o` along `axis`. */
export function windowAlong(block: usize, axis: i32, o: i32): void {
  const inSize = word(block, IN_SIZE + axis);
  if (word(block, ADAPTIVE)) {
    const outSize = word(block, OUT_SIZE + axis);
    const start = adaptiveStart(o, inSize, outSize);
    const count = adaptiveEnd(o, inSize, outSize) - start;
    first = start;
    tapStart = 0;
    tapEnd = count;
    step = 1;
    padded = count;
    return;
  }
  const kernel = word(block, KERNEL + axis);
  const dilation = word(block, DILATION + axis);
  const start = o * word(block, STRIDE + axis) - word(block, PAD_BEFORE + axis);
  const low = min(kernel, start >= 0 ? 0 : ceilDivide(-start, dilation));
  const high = max(low, min(kernel, ceilDivide(inSize - start, dilation)));
  const paddedLimit = inSize + word(block, PAD_AFTER + axis) - start;
  first = start;
  tapStart = low;
  tapEnd = high;
  step = dilation;
  padded = max(0, min(kernel, ceilDivide(paddedLimit, dilation)));
}

/** What an average divides by, given the window's in-bounds and padded tap counts (avg-pool.ts). */
@inline
export function averageDivisor(block: usize, inBounds: i32, inPadded: i32): f64 {
  if (word(block, HAS_DIVISOR_OVERRIDE)) return load<f64>(block + DIVISOR_OVERRIDE_BYTES);
  return <f64>(word(block, COUNT_INCLUDE_PAD) ? inPadded : inBounds);
}

// Output cells [lowOut, highOut] (along the axis last asked) may hold input coordinate x.
export let lowOut: i32 = 0;
export let highOut: i32 = 0;

/** Sets lowOut and highOut: every output cell whose window may hold input coordinate x along `axis`. */
export function candidatesAlong(block: usize, axis: i32, x: i32): void {
  const inSize = word(block, IN_SIZE + axis);
  const outSize = word(block, OUT_SIZE + axis);
  if (word(block, ADAPTIVE)) {
    const holder = adaptiveStart(x, outSize, inSize); // its window holds x; neighbours may too
    let low = holder;
    while (low > 0 && adaptiveEnd(low - 1, inSize, outSize) > x) low--;
    let high = holder;
    while (high + 1 < outSize && adaptiveStart(high + 1, inSize, outSize) <= x) high++;
    lowOut = low;
    highOut = high;
    return;
  }
  const stride = word(block, STRIDE + axis);
  const reach = x + word(block, PAD_BEFORE + axis); // o·stride + k·dilation = reach
  const span = (word(block, KERNEL + axis) - 1) * word(block, DILATION + axis);
  lowOut = max(0, ceilDivide(reach - span, stride));
  highOut = min(outSize - 1, reach / stride);
}

/** Whether output cell o's window (along axis) has a tap on input coordinate x. */
export function holds(block: usize, axis: i32, o: i32, x: i32): bool {
  if (word(block, ADAPTIVE)) {
    const inSize = word(block, IN_SIZE + axis);
    const outSize = word(block, OUT_SIZE + axis);
    return adaptiveStart(o, inSize, outSize) <= x && adaptiveEnd(o, inSize, outSize) > x;
  }
  const offset = x + word(block, PAD_BEFORE + axis) - o * word(block, STRIDE + axis);
  const dilation = word(block, DILATION + axis);
  return offset >= 0 && offset % dilation == 0 && offset / dilation < word(block, KERNEL + axis);
}
