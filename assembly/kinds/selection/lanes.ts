// Float64 lane pairs for the selection kinds: their reference kernels compute in float64 (JS
// numbers) and round once to float32, so these kernels do the same arithmetic in the same order,
// two channels at a time (f64x2), or one (lane 0) for an odd channel or channelsFirst.

export const ZERO: v128 = f64x2.splat(0);
export const ONE: v128 = f64x2.splat(1);

/** Float32 values at `address` (two, or one in lane 0), widened exactly to float64 lanes. */
@inline
export function loadLanes(address: usize, pair: bool): v128 {
  return f64x2.promote_low_f32x4(pair ? v128.load64_zero(address) : v128.load32_zero(address));
}

/** Float64 values at `address` (two, or one in lane 0). */
@inline
export function loadDoubles(address: usize, pair: bool): v128 {
  return pair ? v128.load(address) : v128.load64_zero(address);
}

/** Rounds float64 lanes to float32 and stores them (two, or lane 0 alone). */
@inline
export function storeLanes(address: usize, value: v128, pair: bool): void {
  const narrow = f32x4.demote_f64x2_zero(value);
  if (pair) v128.store64_lane(address, narrow, 0);
  else v128.store32_lane(address, narrow, 0);
}

/** Stores float64 lanes (two, or lane 0 alone). */
@inline
export function storeDoubles(address: usize, value: v128, pair: bool): void {
  if (pair) v128.store(address, value);
  else v128.store64_lane(address, value, 0);
}

/** Stores i64x2 lanes as int32 (two, or lane 0 alone). */
@inline
export function storeIndices(address: usize, index: v128, pair: bool): void {
  const narrow = i32x4.shuffle(index, index, 0, 2, 0, 2);
  if (pair) v128.store64_lane(address, narrow, 0);
  else v128.store32_lane(address, narrow, 0);
}

/** Float64 lanes rounded to float32 and back: what storing into a Float32Array and reading does. */
@inline
export function roundLanes(value: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(value));
}

/** Lanes that are NaN. */
@inline
export function nanLanes(value: v128): v128 {
  return f64x2.ne(value, value);
}
