// Packing: copies a block of op(A) into 4-row panels (depth groups of 4 floats) and of op(B) into
// 8-column panels (depth groups of 8), zero-filled past the matrix edge, so the micro-kernel reads
// both with unit stride. op(A) may be a matrix, its transpose, or the im2col matrix of a convolution
// read straight from the NHWC input (im2col.ts): im2col is never materialised.
import { A_KIND, A_POINTER, B_POINTER, B_TRANSPOSED, K, KIND_IM2COL_TRANSPOSED, KIND_PLAIN, M, N, pointer, word } from './arguments';
import { packIm2colColumn } from './im2col';

/**
 * Rows [firstRow, firstRow + 4) and depth [firstDepth, firstDepth + depth) of op(A) into `target`, for
 * every kind but im2col rows (packIm2colPanel, which needs its pixels' window origins).
 */
export function packAPanel(block: usize, target: usize, firstRow: i32, firstDepth: i32, depth: i32): void {
  const kind = word(block, A_KIND);
  const m = word(block, M);
  if (kind == KIND_PLAIN && firstRow + 4 <= m) {
    packPlainPanel(block, target, firstRow, firstDepth, depth);
  } else if (kind != KIND_PLAIN && kind != KIND_IM2COL_TRANSPOSED && firstRow + 4 <= m) {
    packTransposedPanel(block, target, firstRow, firstDepth, depth);
  } else {
    for (let lane = 0; lane < 4; lane++) {
      const row = firstRow + lane;
      const laneTarget = target + (<usize>lane << 2);
      if (row >= m) zeroLane(laneTarget, depth, 16);
      else if (kind == KIND_IM2COL_TRANSPOSED) packIm2colColumn(block, laneTarget, row, firstDepth, depth);
      else packStridedLane(laneTarget, 16, pointer(block, A_POINTER), kind == KIND_PLAIN, row, firstDepth, depth, m, word(block, K));
    }
  }
}

function zeroLane(target: usize, depth: i32, stepBytes: usize): void {
  for (let step = 0; step < depth; step++) store<f32>(target + <usize>step * stepBytes, 0);
}

/**
 * One lane of a panel from a row-major matrix: `line` (a row of op(X)) is contiguous when the matrix
 * is stored as op(X) (`contiguous`), strided by `lineCount` otherwise; `length` is the stored row length.
 */
function packStridedLane(
  target: usize, stepBytes: usize, matrix: usize, contiguous: bool, line: i32, firstDepth: i32, depth: i32,
  lineCount: i32, length: i32,
): void {
  const source = matrix + (<usize>(contiguous ? line * length + firstDepth : firstDepth * lineCount + line) << 2);
  const stride: usize = contiguous ? 4 : <usize>lineCount << 2;
  for (let step = 0; step < depth; step++) store<f32>(target + <usize>step * stepBytes, load<f32>(source + <usize>step * stride));
}

/** Four rows of a plain [m, k] A, four depth steps at a time through a 4x4 transpose. */
function packPlainPanel(block: usize, target: usize, firstRow: i32, firstDepth: i32, depth: i32): void {
  const rowBytes = <usize>word(block, K) << 2;
  const source = pointer(block, A_POINTER) + <usize>firstRow * rowBytes + (<usize>firstDepth << 2);
  let step = 0;
  for (; step + 4 <= depth; step += 4) {
    const at = source + (<usize>step << 2);
    transposeStore(target + (<usize>step << 4), 16, v128.load(at), v128.load(at + rowBytes),
      v128.load(at + 2 * rowBytes), v128.load(at + 3 * rowBytes));
  }
  for (; step < depth; step++) {
    const at = source + (<usize>step << 2);
    const column = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(at)), 1,
      load<f32>(at + rowBytes)), 2, load<f32>(at + 2 * rowBytes)), 3, load<f32>(at + 3 * rowBytes));
    v128.store(target + (<usize>step << 4), column);
  }
}

/** Stores the columns of the 4x4 block with rows r0..r3 at target, target + stepBytes, ... */
@inline
function transposeStore(target: usize, stepBytes: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(target, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(target + stepBytes, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(target + 2 * stepBytes, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(target + 3 * stepBytes, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Four rows of op(A) from a transposed A ([k, m]): four contiguous floats per depth step. */
function packTransposedPanel(block: usize, target: usize, firstRow: i32, firstDepth: i32, depth: i32): void {
  const stride = <usize>word(block, M) << 2;
  const source = pointer(block, A_POINTER) + <usize>firstDepth * stride + (<usize>firstRow << 2);
  for (let step = 0; step < depth; step++) v128.store(target + (<usize>step << 4), v128.load(source + <usize>step * stride));
}

/** Columns [firstColumn, firstColumn + 8) and depth [firstDepth, firstDepth + depth) of op(B) into `target`. */
export function packBPanel(block: usize, target: usize, firstColumn: i32, firstDepth: i32, depth: i32): void {
  const n = word(block, N);
  const k = word(block, K);
  const b = pointer(block, B_POINTER);
  const transposed = word(block, B_TRANSPOSED) != 0;
  if (firstColumn + 8 > n) {
    for (let lane = 0; lane < 8; lane++) {
      const laneTarget = target + (<usize>lane << 2);
      if (firstColumn + lane >= n) zeroLane(laneTarget, depth, 32);
      else packStridedLane(laneTarget, 32, b, transposed, firstColumn + lane, firstDepth, depth, n, k);
    }
  } else if (transposed) {
    packTransposedBPanel(target, b + (<usize>(firstColumn * k + firstDepth) << 2), <usize>k << 2, depth);
  } else {
    const source = b + (<usize>(firstDepth * n + firstColumn) << 2);
    const stride = <usize>n << 2;
    for (let step = 0; step < depth; step++) {
      v128.store(target + (<usize>step << 5), v128.load(source + <usize>step * stride));
      v128.store(target + (<usize>step << 5), v128.load(source + <usize>step * stride, 16), 16);
    }
  }
}

/** Eight stored rows of a transposed B ([n, k]) as the columns of a panel, through 4x4 transposes. */
function packTransposedBPanel(target: usize, source: usize, rowBytes: usize, depth: i32): void {
  let step = 0;
  for (; step + 4 <= depth; step += 4) {
    for (let half = 0; half < 2; half++) {
      const at = source + <usize>(half * 4) * rowBytes + (<usize>step << 2);
      transposeStore(target + (<usize>step << 5) + (<usize>half << 4), 32, v128.load(at), v128.load(at + rowBytes),
        v128.load(at + 2 * rowBytes), v128.load(at + 3 * rowBytes));
    }
  }
  for (; step < depth; step++) {
    for (let lane = 0; lane < 8; lane++) {
      store<f32>(target + (<usize>step << 5) + (<usize>lane << 2), load<f32>(source + <usize>lane * rowBytes + (<usize>step << 2)));
    }
  }
}
