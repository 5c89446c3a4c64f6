// The f32x4 matrix products of covariance pooling (covariance.ts): rows of a (either operand
// order, so a may be read transposed) times a row-major b, all rows `stride` floats wide; each
// multiply-add one fused instruction in the relaxed-SIMD build (madd).
import { madd } from '../../train/tile';

/** Sixteen columns of rows `row` and `row + 1` (when `pair`): 2×4 vector accumulators share b's loads. */
@inline
function sixteenColumns(
  aFirst: usize, aNext: usize, aInner: i32, b: usize, target: usize, inner: i32, pair: bool, rowBytes: usize,
): void {
  let sum0 = f32x4.splat(0);
  let sum1 = f32x4.splat(0);
  let sum2 = f32x4.splat(0);
  let sum3 = f32x4.splat(0);
  let next0 = f32x4.splat(0);
  let next1 = f32x4.splat(0);
  let next2 = f32x4.splat(0);
  let next3 = f32x4.splat(0);
  let source = b;
  for (let k = 0; k < inner; k++, source += rowBytes) {
    const offset = <usize>(k * aInner) << 2;
    const factor = v128.load32_splat(aFirst + offset);
    const nextFactor = v128.load32_splat(aNext + offset); // aNext is aFirst when there is no pair
    const b0 = v128.load(source);
    const b1 = v128.load(source, 16);
    const b2 = v128.load(source, 32);
    const b3 = v128.load(source, 48);
    sum0 = madd(factor, b0, sum0);
    sum1 = madd(factor, b1, sum1);
    sum2 = madd(factor, b2, sum2);
    sum3 = madd(factor, b3, sum3);
    next0 = madd(nextFactor, b0, next0);
    next1 = madd(nextFactor, b1, next1);
    next2 = madd(nextFactor, b2, next2);
    next3 = madd(nextFactor, b3, next3);
  }
  v128.store(target, sum0);
  v128.store(target, sum1, 16);
  v128.store(target, sum2, 32);
  v128.store(target, sum3, 48);
  if (!pair) return;
  v128.store(target + rowBytes, next0);
  v128.store(target + rowBytes, next1, 16);
  v128.store(target + rowBytes, next2, 32);
  v128.store(target + rowBytes, next3, 48);
}

/**
 * Eight columns of `count` (1 to 4) rows from `aFirst` on, a's rows `aRowBytes` apart: 4×2 vector
 * accumulators, eight independent chains as sixteenColumns has (two rows' eight columns leave four,
 * bound by the multiply-add's latency). Rows past `count` read the first row and are not stored.
 */
@inline
function eightColumnsOfFour(
  aFirst: usize, aRowBytes: usize, aInner: i32, b: usize, target: usize, inner: i32, count: i32, rowBytes: usize,
): void {
  const a1 = count > 1 ? aFirst + aRowBytes : aFirst;
  const a2 = count > 2 ? aFirst + 2 * aRowBytes : aFirst;
  const a3 = count > 3 ? aFirst + 3 * aRowBytes : aFirst;
  let sum00 = f32x4.splat(0);
  let sum01 = f32x4.splat(0);
  let sum10 = f32x4.splat(0);
  let sum11 = f32x4.splat(0);
  let sum20 = f32x4.splat(0);
  let sum21 = f32x4.splat(0);
  let sum30 = f32x4.splat(0);
  let sum31 = f32x4.splat(0);
  let source = b;
  for (let k = 0; k < inner; k++, source += rowBytes) {
    const offset = <usize>(k * aInner) << 2;
    const b0 = v128.load(source);
    const b1 = v128.load(source, 16);
    const f0 = v128.load32_splat(aFirst + offset);
    sum00 = madd(f0, b0, sum00);
    sum01 = madd(f0, b1, sum01);
    const f1 = v128.load32_splat(a1 + offset);
    sum10 = madd(f1, b0, sum10);
    sum11 = madd(f1, b1, sum11);
    const f2 = v128.load32_splat(a2 + offset);
    sum20 = madd(f2, b0, sum20);
    sum21 = madd(f2, b1, sum21);
    const f3 = v128.load32_splat(a3 + offset);
    sum30 = madd(f3, b0, sum30);
    sum31 = madd(f3, b1, sum31);
  }
  v128.store(target, sum00);
  v128.store(target, sum01, 16);
  if (count < 2) return;
  v128.store(target + rowBytes, sum10);
  v128.store(target + rowBytes, sum11, 16);
  if (count < 3) return;
  v128.store(target + 2 * rowBytes, sum20);
  v128.store(target + 2 * rowBytes, sum21, 16);
  if (count < 4) return;
  v128.store(target + 3 * rowBytes, sum30);
  v128.store(target + 3 * rowBytes, sum31, 16);
}

/** Four columns of row `row`. */
@inline
function fourColumns(aFirst: usize, aInner: i32, b: usize, target: usize, inner: i32, rowBytes: usize): void {
  let sum = f32x4.splat(0);
  let source = b;
  for (let k = 0; k < inner; k++, source += rowBytes) {
    sum = madd(v128.load32_splat(aFirst + (<usize>(k * aInner) << 2)), v128.load(source), sum);
  }
  v128.store(target, sum);
}

/**
 * out[i, :] = Σ_k a(i, k)·b[k, :] for `rows` rows, `inner` terms and `stride` columns (a multiple
 * of 4, also b's and out's row stride), where a(i, k) = a[i·aRow + k·aInner] (so a may be read
 * transposed). With `upper`, only the column blocks reaching the diagonal or beyond are computed (a
 * symmetric result, whose lower triangle is then mirrored unless `mirror` is false).
 */
export function multiplyRows(
  a: usize, aRow: i32, aInner: i32, b: usize, out: usize, rows: i32, inner: i32, stride: i32, upper: bool = false, mirror: bool = true,
): void {
  const rowBytes = <usize>stride << 2;
  for (let row = 0; row < rows; row += 2) {
    const pair = row + 1 < rows;
    const aFirst = a + (<usize>(row * aRow) << 2);
    const aNext = pair ? aFirst + (<usize>aRow << 2) : aFirst;
    const target = out + <usize>row * rowBytes;
    // upper: from the 8-column block holding the diagonal (a 16-column one would do up to 8 columns
    // more a row: Σ's 32×32 upper triangle is 5/8 of the products rather than 3/4); rows 4r to
    // 4r + 3 start at the same column, so their 8-column block is done once, at 4r
    let column = upper ? row & ~7 : 0;
    if (upper && (column & 8) != 0 && column + 8 <= stride) {
      const count = min(4, rows - row);
      if ((row & 3) == 0)
        eightColumnsOfFour(aFirst, <usize>aRow << 2, aInner, b + (<usize>column << 2), target + (<usize>column << 2), inner, count, rowBytes);
      column += 8;
    }
    for (; column + 16 <= stride; column += 16) {
      sixteenColumns(aFirst, aNext, aInner, b + (<usize>column << 2), target + (<usize>column << 2), inner, pair, rowBytes);
    }
    if (column + 8 <= stride) {
      const count = pair ? 2 : 1; // (a row pair's remainder: half the chains wasted, as fast as four chains of its own)
      eightColumnsOfFour(aFirst, <usize>aRow << 2, aInner, b + (<usize>column << 2), target + (<usize>column << 2), inner, count, rowBytes);
      column += 8;
    }
    for (; column < stride; column += 4) {
      fourColumns(aFirst, aInner, b + (<usize>column << 2), target + (<usize>column << 2), inner, rowBytes);
      if (pair) fourColumns(aNext, aInner, b + (<usize>column << 2), target + rowBytes + (<usize>column << 2), inner, rowBytes);
    }
  }
  if (upper && mirror) mirrorLower(out, rows, stride);
}

/**
 * One 4×4 block transposed (four vector loads, eight shuffles): target's rows 0..`rows`−1 get the
 * source's rows 0..3 (zeros from row `available` on) as their four lanes. In a `diagonal` block only
 * the lanes left of the diagonal are written (row 0 none, row 1 one, row 2 two, row 3 three).
 */
@inline
function transposeBlock(source: usize, available: i32, target: usize, rows: i32, rowBytes: usize, diagonal: bool): void {
  const zero = f32x4.splat(0);
  const v0 = available > 0 ? v128.load(source) : zero;
  const v1 = available > 1 ? v128.load(source + rowBytes) : zero;
  const v2 = available > 2 ? v128.load(source + 2 * rowBytes) : zero;
  const v3 = available > 3 ? v128.load(source + 3 * rowBytes) : zero;
  const low01 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
  const low23 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
  const high01 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
  const high23 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
  let t1 = i32x4.shuffle(low01, low23, 2, 3, 6, 7);
  let t2 = i32x4.shuffle(high01, high23, 0, 1, 4, 5);
  let t3 = i32x4.shuffle(high01, high23, 2, 3, 6, 7);
  if (diagonal) {
    if (rows > 1) t1 = v128.bitselect(t1, v128.load(target + rowBytes), i32x4(-1, 0, 0, 0));
    if (rows > 2) t2 = v128.bitselect(t2, v128.load(target + 2 * rowBytes), i32x4(-1, -1, 0, 0));
    if (rows > 3) t3 = v128.bitselect(t3, v128.load(target + 3 * rowBytes), i32x4(-1, -1, -1, 0));
  } else v128.store(target, i32x4.shuffle(low01, low23, 0, 1, 4, 5));
  if (rows > 1) v128.store(target + rowBytes, t1);
  if (rows > 2) v128.store(target + 2 * rowBytes, t2);
  if (rows > 3) v128.store(target + 3 * rowBytes, t3);
}

/**
 * m's strict lower triangle ← its upper triangle's mirror, for a C×C matrix in rows `stride` floats
 * wide, a 4×4 block at a time: block (r, c) below the diagonal is block (c, r) transposed, and a
 * diagonal block takes the transposed lanes below its diagonal only (its source rows past C, read as
 * zeros, are not among them). The same values as copying element by element; the padding columns are
 * not written.
 */
export function mirrorLower(m: usize, channels: i32, stride: i32): void {
  const rowBytes = <usize>stride << 2;
  for (let row = 0; row < channels; row += 4) {
    const rows = min(4, channels - row);
    for (let column = 0; column <= row; column += 4) {
      const source = m + <usize>column * rowBytes + (<usize>row << 2);
      const target = m + <usize>row * rowBytes + (<usize>column << 2);
      transposeBlock(source, channels - column, target, rows, rowBytes, column == row);
    }
  }
}

/**
 * out = aᵀ for a C×C matrix in rows `stride` floats wide (the padding columns stay 0), a 4×4 block
 * at a time: out's rows r..r+3 at columns c..c+3 are a's rows c..c+3 (zeros past C) at columns
 * r..r+3, as the four lanes of each.
 */
export function transposeSquare(a: usize, out: usize, channels: i32, stride: i32): void {
  const rowBytes = <usize>stride << 2;
  for (let row = 0; row < channels; row += 4) {
    const rows = min(4, channels - row);
    for (let column = 0; column < stride; column += 4) {
      const source = a + <usize>column * rowBytes + (<usize>row << 2);
      transposeBlock(source, channels - column, out + <usize>row * rowBytes + (<usize>column << 2), rows, rowBytes, false);
    }
  }
}
