// Lane helpers of the max pooling kernels. Two ways to take a running max, both exact for the
// reference's rule (a tap replaces the max when greater or NaN; the first of ties, ±0 included,
// wins): compare-and-select (`takes`, with argmax), and pmax with NaN lanes collected apart.

/** Lanes where `value` replaces the running max: greater, or NaN. */
@inline
export function takes(value: v128, best: v128): v128 {
  return v128.or(f32x4.gt(value, best), f32x4.ne(value, value));
}

/**
 * The value-only running max in fewer instructions: pmax (one maxps on x86) keeps the first of
 * ties and of ±0 as the reference does, but keeps a non-NaN over a later NaN; the NaN lanes are
 * collected apart and restored at the end. Only NaN payloads may differ from compare-and-select.
 */
@inline
export function maxOf(best: v128, value: v128): v128 {
  return f32x4.pmax(best, value);
}

@inline
export function nanOf(value: v128): v128 {
  return f32x4.ne(value, value);
}

@inline
export function withNaN(best: v128, nan: v128): v128 {
  return v128.or(best, nan); // all-ones lanes are a NaN
}

/** Folds one tap into the running max and its index (compare-and-select, exact order). */
@inline
export function foldTap(value: v128, index: v128, best: v128, bestIndex: v128, wantIndex: bool): v128 {
  const take = takes(value, best);
  return wantIndex ? v128.bitselect(index, bestIndex, take) : v128.bitselect(value, best, take);
}
