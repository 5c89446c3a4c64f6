// Quads of channels for the selection kinds: up to four float32 lanes at a time (`count` of them
// valid: 4 inside a channel group, 1 to 3 at its end or in channelsFirst), widened to two f64x2
// halves where the reference computes in float64 (JS numbers), so results match it bit for bit.

export const ZERO: v128 = f64x2.splat(0);
export const ONE: v128 = f64x2.splat(1);

/**
 * `whenTrue` where `mask`'s 32-bit lane is all ones, `whenFalse` where it is all zeros (a comparison's
 * mask): one blend instruction in the relaxed-SIMD build (the two builds agree on such masks).
 */
@inline
export function laneSelect(whenTrue: v128, whenFalse: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(whenTrue, whenFalse, mask);
  return v128.bitselect(whenTrue, whenFalse, mask);
}

/** `count` float32 (or int32) lanes from `address`; the others 0. Never reads past them. */
@inline
export function loadQuad(address: usize, count: i32): v128 {
  if (count == 4) return v128.load(address);
  if (count == 1) return v128.load32_zero(address);
  const two = v128.load64_zero(address);
  return count == 2 ? two : v128.load32_lane(address + 8, two, 2);
}

/** Stores the first `count` 32-bit lanes of `value` at `address`. */
@inline
export function storeQuad(address: usize, value: v128, count: i32): void {
  if (count == 4) {
    v128.store(address, value);
    return;
  }
  if (count == 1) {
    v128.store32_lane(address, value, 0);
    return;
  }
  v128.store64_lane(address, value, 0);
  if (count == 3) v128.store32_lane(address + 8, value, 2);
}

/** `count` float64 lanes from `address` as two f64x2 halves: the low half here, the high one in `highDoubles`. */
export let highDoubles: v128 = ZERO;

@inline
export function loadDoubles(address: usize, count: i32): v128 {
  highDoubles = count == 4 ? v128.load(address, 16) : count == 3 ? v128.load64_zero(address, 16) : ZERO;
  return count == 1 ? v128.load64_zero(address) : v128.load(address);
}

/** Stores `count` float64 lanes, the low half's then the high one's, at `address`. */
@inline
export function storeDoubles(address: usize, lowHalf: v128, highHalf: v128, count: i32): void {
  if (count == 1) v128.store64_lane(address, lowHalf, 0);
  else v128.store(address, lowHalf);
  if (count == 3) v128.store64_lane(address, highHalf, 0, 16);
  if (count == 4) v128.store(address, highHalf, 16);
}

/** Float32 lanes 0-1 and 2-3 widened exactly to float64. */
@inline
export function low(value: v128): v128 {
  return f64x2.promote_low_f32x4(value);
}

@inline
export function high(value: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(value, value, 2, 3, 0, 1));
}

/** Two float64 halves rounded to float32 lanes (as a store into a Float32Array rounds). */
@inline
export function narrow(lowHalf: v128, highHalf: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lowHalf), f32x4.demote_f64x2_zero(highHalf), 0, 1, 4, 5);
}

/** Two f64x2 comparison masks as one i32x4 mask. */
@inline
export function narrowMask(lowMask: v128, highMask: v128): v128 {
  return i32x4.shuffle(lowMask, highMask, 0, 2, 4, 6);
}
