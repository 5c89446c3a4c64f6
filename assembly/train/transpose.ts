// The batched 2D transpose of layout changes (NCHW ↔ NHWC): `batch` planes of [rows, columns] become
// planes of [columns, rows], 32-bit words moved as bits (NaN payloads and −0 kept). 4x4 blocks go
// through v128 shuffles; rows and columns past the last whole block are copied one word at a time.
import { pointer, word } from './arguments';

// Words of the train block (src/kernels/wasm/transpose-planes.ts writes them; no other train kernel uses 56-59).
const PLANE_ROWS = 56;
const PLANE_COLUMNS = 57;
const PLANE_SOURCE = 58;
const PLANE_TARGET = 59;
/** Rows per work unit: a tile's source lines (64 rows · 64 bytes) stay in L1 while its columns are walked; with 64
 * rows a [64, 12544] plane (NCHW → NHWC, 64 channels) writes whole target rows: 12.8 ms against 18.8 with 32. */
const PLANE_ROW_TILE = 64;

/**
 * Units are (plane, row tile) pairs, row tiles of PLANE_ROW_TILE rows. A tile is walked four columns
 * at a time, four rows at a time within them, so each target row receives the tile's rows in order.
 */
export function transposePlanes(block: usize, firstUnit: i32, endUnit: i32): void {
  const rows = word(block, PLANE_ROWS);
  const columns = word(block, PLANE_COLUMNS);
  const tiles = (rows + PLANE_ROW_TILE - 1) / PLANE_ROW_TILE;
  const planeBytes = <usize>(rows * columns) << 2;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const plane = unit / tiles;
    const firstRow = (unit % tiles) * PLANE_ROW_TILE;
    const source = pointer(block, PLANE_SOURCE) + <usize>plane * planeBytes;
    const target = pointer(block, PLANE_TARGET) + <usize>plane * planeBytes;
    transposeTile(source, target, rows, columns, firstRow, min(rows, firstRow + PLANE_ROW_TILE));
  }
}

/** Rows [firstRow, endRow) of one plane: whole 4x4 blocks by SIMD, the rest word by word. */
function transposeTile(source: usize, target: usize, rows: i32, columns: i32, firstRow: i32, endRow: i32): void {
  const blockEnd = firstRow + ((endRow - firstRow) & ~3);
  const columnEnd = columns & ~3;
  const sourceRow = <usize>columns << 2;
  const targetRow = <usize>rows << 2;
  for (let column = 0; column < columnEnd; column += 4) {
    const from = source + (<usize>column << 2);
    const to = target + <usize>column * targetRow;
    for (let row = firstRow; row < blockEnd; row += 4) {
      const at = from + <usize>row * sourceRow;
      const row0 = v128.load(at);
      const row1 = v128.load(at + sourceRow);
      const row2 = v128.load(at + 2 * sourceRow);
      const row3 = v128.load(at + 3 * sourceRow);
      const low01 = i32x4.shuffle(row0, row1, 0, 4, 1, 5);
      const low23 = i32x4.shuffle(row2, row3, 0, 4, 1, 5);
      const high01 = i32x4.shuffle(row0, row1, 2, 6, 3, 7);
      const high23 = i32x4.shuffle(row2, row3, 2, 6, 3, 7);
      const out = to + (<usize>row << 2);
      v128.store(out, i64x2.shuffle(low01, low23, 0, 2));
      v128.store(out + targetRow, i64x2.shuffle(low01, low23, 1, 3));
      v128.store(out + 2 * targetRow, i64x2.shuffle(high01, high23, 0, 2));
      v128.store(out + 3 * targetRow, i64x2.shuffle(high01, high23, 1, 3));
    }
    copyWords(source, target, rows, columns, blockEnd, endRow, column, column + 4);
  }
  copyWords(source, target, rows, columns, firstRow, endRow, columnEnd, columns);
}

/** target[c, r] = source[r, c] for rows [firstRow, endRow) and columns [firstColumn, endColumn), as i32 bits. */
@inline
function copyWords(
  source: usize, target: usize, rows: i32, columns: i32, firstRow: i32, endRow: i32, firstColumn: i32, endColumn: i32,
): void {
  for (let column = firstColumn; column < endColumn; column++) {
    for (let row = firstRow; row < endRow; row++) {
      store<i32>(target + (<usize>(column * rows + row) << 2), load<i32>(source + (<usize>(row * columns + column) << 2)));
    }
  }
}
