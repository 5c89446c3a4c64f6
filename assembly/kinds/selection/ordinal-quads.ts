// A 2x2 window's quad of channels for ordinal pooling's tiling path (ordinal-tiles.ts), where no lane
// holds NaN: the values in rank order by a sorting network, and each cell's gradient weight picked by
// the two bits of its rank, both from the six pairwise compares. Why these give the reference's bits:
// - without NaN, rank order is descending value order with ties in window order. The network sorts
//   the values (pmax/pmin are exact without NaN); tied cells hold the same number, except +0 and −0,
//   whose products (zeros) leave a float64 sum that starts at +0 unchanged, so their order is moot;
// - a cell's rank (the cells ranked before it, ties to the earlier) decides its weight, so that
//   order is kept exactly: bit 0 of a count of three masks is their parity, bit 1 their majority.

/** Whether a lane's cells may hold NaN (one does, or their sum is ∞ − ∞): then the NaN rules rank. */
@inline
export function mayHoldNaN(a: v128, b: v128, c: v128, d: v128): bool {
  const sum = f32x4.add(f32x4.add(a, b), f32x4.add(c, d));
  return v128.any_true(f32x4.ne(sum, sum));
}

/**
 * `mask ? a : b` per 32-bit lane, for masks whose lanes are all ones or all zeros (compares and
 * their bitwise combinations): then the relaxed lane select (one blend on x64, where bitselect
 * takes three instructions) is exactly bitselect.
 */
@inline
function select(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/** rank 0, 1, 2 or 3 of each lane from its two bits: `b1 ? (b0 ? r3 : r2) : (b0 ? r1 : r0)`. */
@inline
export function pick(b0: v128, b1: v128, r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return select(select(r3, r2, b0), select(r1, r0, b0), b1);
}

/**
 * The gradients g·w_rank of cells A, B, C, D (window order) into `cell`, right of it, below it and
 * below right, from the per-rank values q0..q3 and the masks "X ranks strictly before Y" (xy) of
 * the six pairs. A cell's rank counts the masks of the cells before it: A's ba, ca, da; B's ¬ba,
 * cb, db; C's ¬ca, ¬cb, dc; D's ¬da, ¬db, ¬dc (3 minus the count of da, db, dc). With p = x ^ y,
 * majority(x, y, z) = p ? z : x, and a negated mask flips the parity.
 */
@inline
export function storeCellGradients(
  cell: usize, right: usize, below: usize,
  ba: v128, ca: v128, da: v128, cb: v128, db: v128, dc: v128,
  q0: v128, q1: v128, q2: v128, q3: v128,
): void {
  const pa = v128.xor(ba, ca);
  v128.store(cell, pick(v128.xor(pa, da), select(da, ba, pa), q0, q1, q2, q3));
  const pb = v128.xor(ba, cb); // B's parity is ¬(pb ^ db): the pairs swapped
  v128.store(cell + right, pick(v128.xor(pb, db), select(cb, db, pb), q1, q0, q3, q2));
  const pc = v128.xor(ca, cb);
  v128.store(cell + below, pick(v128.xor(pc, dc), select(dc, v128.not(cb), pc), q0, q1, q2, q3));
  const pd = v128.xor(da, db);
  v128.store(cell + below + right, pick(v128.xor(pd, dc), select(dc, da, pd), q3, q2, q1, q0));
}

/**
 * g·w_r rounded as the reference's +0 + g·w: the table's float32 w_r times g, plus −0 where g and w_r
 * are not zero (an underflow keeps its sign), else +0 (an exact zero product gives +0; ordinalTileTable).
 */
@inline
export function rankGradient(gradient: v128, gradientZero: v128, weights: usize): v128 {
  const addend = v128.andnot(v128.load(weights, 16), gradientZero);
  return f32x4.add(f32x4.mul(gradient, v128.load(weights)), addend);
}
