// Spectral pooling's real-matrix path: where every axis keeps its frequencies in ± pairs of equal
// weight (odd output sizes, symmetric masks), each axis's crop matrix is real, so the transforms are
// real matrix products (half the complex path's work), taken folded (half again), and DiffStride's mask gradient needs no
// spectrum at all (spectral-mask-real.ts). The products here keep one order per output value (k or
// t ascending from 0) whichever block computes it, so every blocking and thread count gives the same bits (multiply-adds fused in the relaxed-SIMD build).
import { multiplyAdd } from './multiply-add';

/**
 * target[line][j][lane] = Σ_k M[j][k]·source[line][k][lane] (M `length`×`count`, `inner` lanes, even, per
 * position) for a matrix with M[−j][−k] = M[j][k] (indices mod `length` and `count`: every real
 * crop matrix, being its own conjugate) from its folded tables (src/kernels/wasm/kinds/filters/
 * spectral-matrices.ts foldedMatrix): the line's source folded into sums s_k + s_{−k} (k = 0 … ⌊count/2⌋,
 * self-paired k alone) and differences s_k − s_{−k} (k = 1 … ⌈count/2⌉ − 1) in `fold` (a line's bytes),
 * E_j = Σ A[j][k]·sum_k for j = 0 … ⌊length/2⌋ and O_j = Σ B[j][k]·difference_k for the paired j, then
 * y_j = E_j + O_j, y_{−j} = E_j − O_j: about half the multiply-adds of the plain product.
 */
export function applyAxisFolded(tables: usize, length: i32, count: i32, outer: i32, inner: i32, source: usize, target: usize, fold: usize): void {
  const lineBytes = <usize>inner << 3;
  const sums = count / 2 + 1;
  const differences = count - sums;
  const evenRows = length / 2 + 1;
  const oddRows = length - evenRows;
  const oddTables = tables + ((<usize>evenRows * <usize>sums) << 3);
  for (let line = 0; line < outer; line++) {
    const sourceLine = source + <usize>line * <usize>count * lineBytes;
    const targetLine = target + <usize>line * <usize>length * lineBytes;
    foldLine(sourceLine, count, sums, lineBytes, fold);
    productRows(tables, evenRows, sums, lineBytes, fold, targetLine, <isize>lineBytes);
    // O_j (j = 1 … oddRows) into rows length − j, which the even part leaves free
    const lastRow = targetLine + <usize>(length - 1) * lineBytes;
    productRows(oddTables, oddRows, differences, lineBytes, fold + <usize>sums * lineBytes, lastRow, -<isize>lineBytes);
    for (let j = 1; j <= oddRows; j++) {
      const even = targetLine + <usize>j * lineBytes;
      const odd = targetLine + <usize>(length - j) * lineBytes;
      for (let lane: usize = 0; lane < lineBytes; lane += 16) {
        const e = v128.load(even + lane);
        const o = v128.load(odd + lane);
        v128.store(even + lane, f64x2.add(e, o));
        v128.store(odd + lane, f64x2.sub(e, o));
      }
    }
  }
}

/** fold[k] = s_k + s_{count−k} (s_k alone where k = count − k mod count), k < sums; then s_k − s_{count−k}. */
export function foldLine(source: usize, count: i32, sums: i32, lineBytes: usize, fold: usize): void {
  for (let k = 0; k < sums; k++) {
    const partner = k == 0 ? 0 : count - k;
    const first = source + <usize>k * lineBytes;
    const sumAt = fold + <usize>k * lineBytes;
    if (partner == k) {
      for (let lane: usize = 0; lane < lineBytes; lane += 16) v128.store(sumAt + lane, v128.load(first + lane));
      continue;
    }
    const second = source + <usize>partner * lineBytes;
    const differenceAt = fold + <usize>(sums + k - 1) * lineBytes;
    for (let lane: usize = 0; lane < lineBytes; lane += 16) {
      const a = v128.load(first + lane);
      const b = v128.load(second + lane);
      v128.store(sumAt + lane, f64x2.add(a, b));
      v128.store(differenceAt + lane, f64x2.sub(a, b));
    }
  }
}

/** target row j (at target + j·step) = Σ_k M[j][k]·source[k] for `rows` rows of `count` terms, `lineBytes` of lanes. */
function productRows(matrix: usize, rows: i32, count: i32, lineBytes: usize, source: usize, target: usize, step: isize): void {
  let j = 0;
  for (; j + 2 <= rows; j += 2) {
    const row = matrix + ((<usize>j * <usize>count) << 3);
    const targetRow = target + <usize>(<isize>j * step);
    const nextRow = targetRow + <usize>step;
    let lane: usize = 0;
    for (; lane + 64 <= lineBytes; lane += 64)
      twoRowsFourVectors(row, row + (<usize>count << 3), count, lineBytes, source + lane, targetRow + lane, nextRow + lane);
    for (; lane < lineBytes; lane += 16) {
      oneRowOneVector(row, count, lineBytes, source + lane, targetRow + lane);
      oneRowOneVector(row + (<usize>count << 3), count, lineBytes, source + lane, nextRow + lane);
    }
  }
  if (j < rows) {
    const row = matrix + ((<usize>j * <usize>count) << 3);
    const targetRow = target + <usize>(<isize>j * step);
    let lane: usize = 0;
    for (; lane + 64 <= lineBytes; lane += 64) oneRowFourVectors(row, count, lineBytes, source + lane, targetRow + lane);
    for (; lane < lineBytes; lane += 16) oneRowOneVector(row, count, lineBytes, source + lane, targetRow + lane);
  }
}

/** A lone row over four lane pairs: four independent sums (one would wait on each add's latency). */
@inline
function oneRowFourVectors(row: usize, count: i32, lineBytes: usize, source: usize, target: usize): void {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let at = source;
  for (let k = 0; k < count; k++, at += lineBytes) {
    const m = f64x2.splat(load<f64>(row + (<usize>k << 3)));
    a0 = multiplyAdd(m, v128.load(at), a0);
    a1 = multiplyAdd(m, v128.load(at, 16), a1);
    a2 = multiplyAdd(m, v128.load(at, 32), a2);
    a3 = multiplyAdd(m, v128.load(at, 48), a3);
  }
  v128.store(target, a0);
  v128.store(target, a1, 16);
  v128.store(target, a2, 32);
  v128.store(target, a3, 48);
}

/** Eight independent sums (two rows × four lane pairs): enough to keep the adds' latency hidden. */
@inline
function twoRowsFourVectors(row0: usize, row1: usize, count: i32, lineBytes: usize, source: usize, target0: usize, target1: usize): void {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let a2 = f64x2.splat(0);
  let a3 = f64x2.splat(0);
  let b0 = f64x2.splat(0);
  let b1 = f64x2.splat(0);
  let b2 = f64x2.splat(0);
  let b3 = f64x2.splat(0);
  let at = source;
  for (let k = 0; k < count; k++, at += lineBytes) {
    const m0 = f64x2.splat(load<f64>(row0 + (<usize>k << 3)));
    const m1 = f64x2.splat(load<f64>(row1 + (<usize>k << 3)));
    const v0 = v128.load(at);
    const v1 = v128.load(at, 16);
    const v2 = v128.load(at, 32);
    const v3 = v128.load(at, 48);
    a0 = multiplyAdd(m0, v0, a0);
    a1 = multiplyAdd(m0, v1, a1);
    a2 = multiplyAdd(m0, v2, a2);
    a3 = multiplyAdd(m0, v3, a3);
    b0 = multiplyAdd(m1, v0, b0);
    b1 = multiplyAdd(m1, v1, b1);
    b2 = multiplyAdd(m1, v2, b2);
    b3 = multiplyAdd(m1, v3, b3);
  }
  v128.store(target0, a0);
  v128.store(target0, a1, 16);
  v128.store(target0, a2, 32);
  v128.store(target0, a3, 48);
  v128.store(target1, b0);
  v128.store(target1, b1, 16);
  v128.store(target1, b2, 32);
  v128.store(target1, b3, 48);
}

@inline
function oneRowOneVector(row: usize, count: i32, lineBytes: usize, source: usize, target: usize): void {
  let sum = f64x2.splat(0);
  let at = source;
  for (let k = 0; k < count; k++, at += lineBytes)
    sum = multiplyAdd(f64x2.splat(load<f64>(row + (<usize>k << 3))), v128.load(at), sum);
  v128.store(target, sum);
}

/**
 * sums[a][b] = Σ_batch Σ_t A[batch][a][t]·B[batch][b][t] (f64; `vectors` lane pairs per row, rows and
 * batches at the given byte strides): per (a, b) the lanes summed apart, then added. Every (a, b) goes
 * through eightDots, the odd rows too (a row read twice, its sums not stored), so each has eight
 * independent chains beside it: a lone dot product waits on every add's latency.
 */
export function dotRows(
  a: usize, rowsA: i32, rowBytesA: usize, batchBytesA: usize,
  b: usize, rowsB: i32, rowBytesB: usize, batchBytesB: usize,
  batches: i32, vectors: i32, sums: usize,
): void {
  for (let rowA = 0; rowA < rowsA; rowA += 2)
    for (let rowB = 0; rowB < rowsB; rowB += 4)
      eightDots(a + <usize>rowA * rowBytesA, rowA + 1 < rowsA ? rowBytesA : 0, batchBytesA, b + <usize>rowB * rowBytesB, rowBytesB, batchBytesB, batches, vectors, min(4, rowsB - rowB), sums + ((<usize>rowA * <usize>rowsB + <usize>rowB) << 3), <usize>rowsB << 3);
}

/**
 * Rows a and a + 1 of A (one row where `rowBytesA` is 0) against `rowsB` (1 to 4) consecutive rows of B:
 * up to eight sums, each vector loaded once for several (a missing row of B reads the last one again).
 */
@inline
function eightDots(left: usize, rowBytesA: usize, batchBytesA: usize, right: usize, rowBytesB: usize, batchBytesB: usize, batches: i32, vectors: i32, rowsB: i32, sums: usize, sumRowBytes: usize): void {
  const second = <usize>min(1, rowsB - 1) * rowBytesB;
  const third = <usize>min(2, rowsB - 1) * rowBytesB;
  const fourth = <usize>min(3, rowsB - 1) * rowBytesB;
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  let t0 = f64x2.splat(0);
  let t1 = f64x2.splat(0);
  let t2 = f64x2.splat(0);
  let t3 = f64x2.splat(0);
  for (let batch = 0; batch < batches; batch++) {
    const leftBatch = left + <usize>batch * batchBytesA;
    const rightBatch = right + <usize>batch * batchBytesB;
    for (let vector = 0; vector < vectors; vector++) {
      const offset = <usize>vector << 4;
      const x0 = v128.load(leftBatch + offset);
      const x1 = v128.load(leftBatch + rowBytesA + offset);
      const y0 = v128.load(rightBatch + offset);
      const y1 = v128.load(rightBatch + second + offset);
      const y2 = v128.load(rightBatch + third + offset);
      const y3 = v128.load(rightBatch + fourth + offset);
      s0 = multiplyAdd(x0, y0, s0);
      s1 = multiplyAdd(x0, y1, s1);
      s2 = multiplyAdd(x0, y2, s2);
      s3 = multiplyAdd(x0, y3, s3);
      t0 = multiplyAdd(x1, y0, t0);
      t1 = multiplyAdd(x1, y1, t1);
      t2 = multiplyAdd(x1, y2, t2);
      t3 = multiplyAdd(x1, y3, t3);
    }
  }
  storeSums(sums, s0, s1, s2, s3, rowsB);
  if (rowBytesA != 0) storeSums(sums + sumRowBytes, t0, t1, t2, t3, rowsB);
}

/** The first `count` of four sums, each one's two lanes added. */
@inline
function storeSums(sums: usize, s0: v128, s1: v128, s2: v128, s3: v128, count: i32): void {
  store<f64>(sums, f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1));
  if (count > 1) store<f64>(sums, f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1), 8);
  if (count > 2) store<f64>(sums, f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1), 16);
  if (count > 3) store<f64>(sums, f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1), 24);
}
