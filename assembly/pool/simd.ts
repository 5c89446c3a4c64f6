// Small SIMD helpers shared by the kernels: float32 lanes widened to two float64 pairs and back,
// so sums accumulate in float64 in window order and round once, bit for bit as the reference does.

/** Lanes 0 and 1 of a float32x4, as float64x2. */
@inline
export function lowPair(value: v128): v128 {
  return f64x2.promote_low_f32x4(value);
}

/** Lanes 2 and 3 of a float32x4, as float64x2. */
@inline
export function highPair(value: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(value, value, 2, 3, 0, 1));
}

/** Two float64x2 rounded to one float32x4 (low lanes first). */
@inline
export function joinPairs(low: v128, high: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
}

/** Whether x / divisor equals x · (1 / divisor) for every x: divisor is a power of two. */
@inline
export function exactReciprocal(divisor: f64): bool {
  const bits = reinterpret<u64>(divisor);
  const exponent = <i32>((bits >> 52) & 0x7ff);
  return (bits & 0xfffffffffffff) == 0 && exponent > 0 && exponent < 0x7fe;
}

/** Float64 pairs divided by a divisor: a multiplication where that is exact (see exactReciprocal). */
@inline
export function dividePair(value: v128, divisors: v128, reciprocals: v128, multiply: bool): v128 {
  return multiply ? f64x2.mul(value, reciprocals) : f64x2.div(value, divisors);
}

/**
 * Zeroes `bytes` (a multiple of 4) from `pointer` with vector stores: memory.fill on a shared
 * memory takes a slow path in V8 (about 10 GB/s of L1 stores lost on a 28 KiB row).
 */
export function zeroBytes(pointer: usize, bytes: usize): void {
  const zero = i32x4.splat(0);
  const end = pointer + bytes;
  let at = pointer;
  for (; at + 16 <= end; at += 16) v128.store(at, zero);
  for (; at < end; at += 4) store<i32>(at, 0);
}
