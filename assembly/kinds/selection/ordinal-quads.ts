// A 2x2 window's quad of channels for ordinal pooling's tiling path (ordinal-tiles.ts): the cells
// sorted into rank order (NaN first, then the larger, ties in window order) by compare-exchanges of
// neighbours (odd-even transposition: four rounds, six exchanges), and each cell's gradient weight
// found by undoing those exchanges on the weights in rank order. An exchange moves the later cell
// ahead only where it ranks strictly before the earlier one, and cells move one place at a time, so
// tied cells never pass each other: the order is the reference's stable sort. Where no lane holds
// NaN, `gt` decides and pmax/pmin exchange (tied cells hold the same number, except +0 and −0, whose
// products, zeros, leave a float64 sum that starts at +0 unchanged, so their order there is moot).
import { ranksBefore } from './ordinal-dense';

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
export function select(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/** The exchange of earlier `x` and later `y`: lanes where y moves ahead (NaN rules or not). */
@inline
export function exchanges(x: v128, y: v128, nanRules: bool): v128 {
  return nanRules ? ranksBefore(y, x) : f32x4.gt(y, x);
}

/** The cell ahead after the exchange `moves` of x and y. */
@inline
export function ahead(x: v128, y: v128, moves: v128, nanRules: bool): v128 {
  return nanRules ? select(y, x, moves) : f32x4.pmax(x, y);
}

/** The cell behind after the exchange `moves` of x and y. */
@inline
export function behind(x: v128, y: v128, moves: v128, nanRules: bool): v128 {
  return nanRules ? select(x, y, moves) : f32x4.pmin(x, y);
}

/**
 * Each cell's gradient g·w_rank into `cell` (A), right of it (B), below (C) and below right (D): the
 * values q0..q3 of ranks 0..3 put back through the exchanges m1..m6 in reverse (m1: A,B; m2: C,D; m3:
 * places 1,2; m4: places 0,1; m5: places 2,3; m6: places 1,2).
 */
@inline
export function storeCellGradients(
  cell: usize, right: usize, below: usize,
  m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, m6: v128,
  q0: v128, q1: v128, q2: v128, q3: v128,
): void {
  const place1 = select(q2, q1, m6);
  const place2 = select(q1, q2, m6);
  const place3 = select(place2, q3, m5);
  const place2Before = select(q3, place2, m5);
  const place0 = select(place1, q0, m4);
  const place1Before = select(q0, place1, m4);
  const placeB = select(place2Before, place1Before, m3);
  const placeC = select(place1Before, place2Before, m3);
  v128.store(cell, select(placeB, place0, m1));
  v128.store(cell + right, select(place0, placeB, m1));
  v128.store(cell + below, select(place3, placeC, m2));
  v128.store(cell + below + right, select(placeC, place3, m2));
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
