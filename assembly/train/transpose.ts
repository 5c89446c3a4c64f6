// The batched 2D transpose of layout changes (NCHW ↔ NHWC): `batch` planes of [rows, columns] become
// planes of [columns, rows], 32-bit words moved as bits (NaN payloads and −0 kept). 4x4 blocks go
// through v128 shuffles; rows and columns past the last whole block are copied one word at a time.
import { pointer, word } from './arguments';

// Words of the train block (src/kernels/wasm/transpose-planes.ts writes them; no other train kernel uses 56-59).
const PLANE_ROWS = 56;
const PLANE_COLUMNS = 57;
const PLANE_SOURCE = 58;
const PLANE_TARGET = 59;
/** Rows per work unit: 64 rather than 32 made a [64, 12544] plane (NCHW → NHWC, 64 channels) 12.8 ms from 18.8. */
const PLANE_ROW_TILE = 64;
/** Columns per chunk: a chunk's target lines (128 columns · 64 rows · 4 bytes: 32 KiB) stay in cache while its row blocks fill them. */
const COLUMN_CHUNK = 128;

/**
 * Units are (plane, row tile) pairs, row tiles of PLANE_ROW_TILE rows. A tile is walked in chunks of
 * COLUMN_CHUNK columns, each four rows at a time across the chunk: four source streams read in order,
 * and the chunk's target lines filled while cached (walking each four columns down all rows instead
 * read 32-64 source streams at once and measured 1.5-3x slower).
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
  for (let firstColumn = 0; firstColumn < columnEnd; firstColumn += COLUMN_CHUNK) {
    const chunkEnd = min(columnEnd, firstColumn + COLUMN_CHUNK);
    for (let row = firstRow; row < blockEnd; row += 4) {
      transposeRowBlock(source + <usize>row * sourceRow, target + (<usize>row << 2), sourceRow, targetRow, firstColumn, chunkEnd);
    }
  }
  for (let row = firstRow; row < blockEnd; row += 4) copyWords(source, target, rows, columns, row, row + 4, columnEnd, columns);
  copyWords(source, target, rows, columns, blockEnd, endRow, 0, columns);
}

/** Four rows (at `from`, sourceRow bytes apart), columns [firstColumn, endColumn) (multiples of 4), as 4x4 blocks. */
@inline
function transposeRowBlock(from: usize, to: usize, sourceRow: usize, targetRow: usize, firstColumn: i32, endColumn: i32): void {
  for (let column = firstColumn; column < endColumn; column += 4) {
    const at = from + (<usize>column << 2);
    const row0 = v128.load(at);
    const row1 = v128.load(at + sourceRow);
    const row2 = v128.load(at + 2 * sourceRow);
    const row3 = v128.load(at + 3 * sourceRow);
    const low01 = i32x4.shuffle(row0, row1, 0, 4, 1, 5);
    const low23 = i32x4.shuffle(row2, row3, 0, 4, 1, 5);
    const high01 = i32x4.shuffle(row0, row1, 2, 6, 3, 7);
    const high23 = i32x4.shuffle(row2, row3, 2, 6, 3, 7);
    const out = to + <usize>column * targetRow;
    v128.store(out, i64x2.shuffle(low01, low23, 0, 2));
    v128.store(out + targetRow, i64x2.shuffle(low01, low23, 1, 3));
    v128.store(out + 2 * targetRow, i64x2.shuffle(high01, high23, 0, 2));
    v128.store(out + 3 * targetRow, i64x2.shuffle(high01, high23, 1, 3));
  }
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
