// Direct convolution for a shallow filter (k = kh·kw·c small, as the seed CNN's first layer, k = 9)
// whose windows all lie inside the input. The im2col operand is read straight from the NHWC input
// through a table of tap offsets (TAP_TABLE_BYTES): packing it would cost as much as the product.
import {
  A_POINTER, BATCH, BIAS_POINTER, B_POINTER, CHANNELS, C_POINTER, GRAD_BIAS, IN_HEIGHT, IN_WIDTH, K, M, N,
  OUT_HEIGHT, OUT_WIDTH, PARTIALS, PARTIAL_COUNT, POOL_ARGMAX, RELU, RELU_OUTPUT, ROW_BLOCK, STRIDE_HEIGHT, STRIDE_WIDTH,
  TAP_TABLE_BYTES, pointer, takeScratch, word,
} from './arguments';
import { pooledGradChunk } from './conv-pool';
import { ORIGIN_BYTES, placeOrigins } from './im2col';
import { madd } from './tile';

/** Each scratch slot: the edge tile (128 bytes), then the window origins of a row block. */
const ORIGINS_OFFSET: usize = 128;
/** Output pixels per chunk of the filter gradient: their dY rows (32 floats each here) stay in L1. */
const CHUNK_PIXELS = 128;

/** Byte address in the input of the window origin in entry `index` of `origins` (placeOrigins). */
@inline
function laneAddress(block: usize, origins: usize, index: i32): usize {
  const at = origins + <usize>index * ORIGIN_BYTES;
  const cell = load<i32>(at, 4) * word(block, IN_WIDTH) + load<i32>(at, 8);
  return pointer(block, A_POINTER) + <usize>load<u32>(at) + (<usize>(cell * word(block, CHANNELS)) << 2);
}

/** relu as reluForward: a compare and select, so NaN and −0 pass through. */
@inline
function reluLanes(value: v128): v128 {
  return v128.bitselect(f32x4.splat(0), value, f32x4.lt(value, f32x4.splat(0)));
}

/** relu over a 4x8 tile just stored (still in L1): cheaper than relu's own pass over the whole output. */
function reluTile(c: usize, rowBytes: usize, rows: i32): void {
  for (let row = 0; row < rows; row++) {
    const at = c + <usize>row * rowBytes;
    v128.store(at, reluLanes(v128.load(at)));
    v128.store(at, reluLanes(v128.load(at, 16)), 16);
  }
}

/** C[4 pixels, 8 columns] = bias (or 0) + Σ over k steps of input[lane + tap offset]·W[step, columns]. */
export function forwardTile(
  k: i32, lane0: usize, lane1: usize, lane2: usize, lane3: usize, taps: usize, filter: usize, filterRowBytes: usize,
  c: usize, rowBytes: usize, bias: usize,
): void {
  let c00 = bias == 0 ? f32x4.splat(0) : v128.load(bias);
  let c01 = bias == 0 ? f32x4.splat(0) : v128.load(bias, 16);
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  for (let step = 0; step < k; step++) {
    const offset = <usize>load<u32>(taps + (<usize>step << 2));
    const b0 = v128.load(filter);
    const b1 = v128.load(filter, 16);
    let s = v128.load32_splat(lane0 + offset);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(lane1 + offset);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(lane2 + offset);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(lane3 + offset);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    filter += filterRowBytes;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rowBytes, c10); v128.store(c + rowBytes, c11, 16);
  v128.store(c + 2 * rowBytes, c20); v128.store(c + 2 * rowBytes, c21, 16);
  v128.store(c + 3 * rowBytes, c30); v128.store(c + 3 * rowBytes, c31, 16);
}

/** Every 8-column tile of the output rows of `lanes` (≤ 4) pixels; a short group computes in `tile`, then copies. */
function forwardGroup(block: usize, origins: usize, lanes: i32, c: usize, tile: usize): void {
  const n = word(block, N);
  const rowBytes = <usize>n << 2;
  const bias = pointer(block, BIAS_POINTER);
  const lane0 = laneAddress(block, origins, 0);
  // Lanes past the last pixel repeat lane 0 (always in bounds); their rows are never copied out.
  const lane1 = lanes > 1 ? laneAddress(block, origins, 1) : lane0;
  const lane2 = lanes > 2 ? laneAddress(block, origins, 2) : lane0;
  const lane3 = lanes > 3 ? laneAddress(block, origins, 3) : lane0;
  const relu = word(block, RELU) != 0;
  for (let column = 0; column < n; column += 8) {
    const filter = pointer(block, B_POINTER) + (<usize>column << 2);
    const columnBias: usize = bias == 0 ? 0 : bias + (<usize>column << 2);
    const target = c + (<usize>column << 2);
    if (lanes == 4) {
      forwardTile(word(block, K), lane0, lane1, lane2, lane3, block + TAP_TABLE_BYTES, filter, rowBytes, target, rowBytes, columnBias);
      if (relu) reluTile(target, rowBytes, 4);
      continue;
    }
    forwardTile(word(block, K), lane0, lane1, lane2, lane3, block + TAP_TABLE_BYTES, filter, rowBytes, tile, 32, columnBias);
    if (relu) reluTile(tile, 32, lanes);
    for (let lane = 0; lane < lanes; lane++) {
      v128.store(target + <usize>lane * rowBytes, v128.load(tile + (<usize>lane << 5)));
      v128.store(target + <usize>lane * rowBytes, v128.load(tile + (<usize>lane << 5), 16), 16);
    }
  }
}

/** Forward: units are blocks of ROW_BLOCK output pixels; C = output [pixels, n], B = filter [k, n], n % 8 = 0. */
export function convForwardDirect(block: usize, firstUnit: i32, endUnit: i32): void {
  const tile = takeScratch(block);
  const origins = tile + ORIGINS_OFFSET;
  const m = word(block, M);
  const rowBlock = word(block, ROW_BLOCK);
  const rowBytes = <usize>word(block, N) << 2;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const firstRow = unit * rowBlock;
    const rows = min(rowBlock, m - firstRow);
    placeOrigins(block, origins, firstRow, rows);
    for (let row = 0; row < rows; row += 4) {
      const c = pointer(block, C_POINTER) + <usize>(firstRow + row) * rowBytes;
      forwardGroup(block, origins + <usize>row * ORIGIN_BYTES, min(4, rows - row), c, tile);
    }
  }
}

/**
 * Adds Σ over output rows [firstOutRow, +outRows) of input[pixel + tap offset]·dY[pixel, columns] into the
 * partial dW tile at `target` (filter rows group..group+3, 8 columns, rows n floats apart); the chunk's
 * dY rows start at `gradChunk`.
 */
function filterTile(
  block: usize, target: usize, group: i32, column: i32, firstOutRow: i32, outRows: i32, gradChunk: usize,
): void {
  const m = word(block, M);
  const n = word(block, N);
  const taps = block + TAP_TABLE_BYTES;
  // Padding rows (past m) read the window origin: in bounds, and never summed out.
  const offset0 = <usize>load<u32>(taps + (<usize>group << 2));
  const offset1 = group + 1 < m ? <usize>load<u32>(taps + (<usize>(group + 1) << 2)) : 0;
  const offset2 = group + 2 < m ? <usize>load<u32>(taps + (<usize>(group + 2) << 2)) : 0;
  const offset3 = group + 3 < m ? <usize>load<u32>(taps + (<usize>(group + 3) << 2)) : 0;
  const rowBytes = <usize>n << 2;
  let c00 = v128.load(target), c01 = v128.load(target, 16);
  let c10 = v128.load(target + rowBytes), c11 = v128.load(target + rowBytes, 16);
  let c20 = v128.load(target + 2 * rowBytes), c21 = v128.load(target + 2 * rowBytes, 16);
  let c30 = v128.load(target + 3 * rowBytes), c31 = v128.load(target + 3 * rowBytes, 16);
  const outHeight = word(block, OUT_HEIGHT);
  const outWidth = word(block, OUT_WIDTH);
  const inRowBytes = <usize>(word(block, IN_WIDTH) * word(block, CHANNELS)) << 2;
  const columnStep = <usize>(word(block, STRIDE_WIDTH) * word(block, CHANNELS)) << 2;
  let grad = gradChunk + (<usize>column << 2);
  for (let outRow = firstOutRow; outRow < firstOutRow + outRows; outRow++) {
    let input = pointer(block, A_POINTER) + <usize>(outRow / outHeight) * <usize>word(block, IN_HEIGHT) * inRowBytes +
      <usize>((outRow % outHeight) * word(block, STRIDE_HEIGHT)) * inRowBytes;
    for (let outColumn = 0; outColumn < outWidth; outColumn++) {
      const b0 = v128.load(grad);
      const b1 = v128.load(grad, 16);
      let s = v128.load32_splat(input + offset0);
      c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
      s = v128.load32_splat(input + offset1);
      c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
      s = v128.load32_splat(input + offset2);
      c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
      s = v128.load32_splat(input + offset3);
      c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
      input += columnStep;
      grad += rowBytes;
    }
  }
  v128.store(target, c00); v128.store(target, c01, 16);
  v128.store(target + rowBytes, c10); v128.store(target + rowBytes, c11, 16);
  v128.store(target + 2 * rowBytes, c20); v128.store(target + 2 * rowBytes, c21, 16);
  v128.store(target + 3 * rowBytes, c30); v128.store(target + 3 * rowBytes, c31, 16);
}

/** The bias gradient's share of a chunk: Σ dY[pixel, columns] over its pixels (from `gradChunk`), added at `target`. */
function biasChunk(block: usize, target: usize, column: i32, outRows: i32, gradChunk: usize): void {
  const rowBytes = <usize>word(block, N) << 2;
  const pixels = outRows * word(block, OUT_WIDTH);
  let grad = gradChunk + (<usize>column << 2);
  let sum0 = v128.load(target), sum1 = v128.load(target, 16);
  for (let pixel = 0; pixel < pixels; pixel++) {
    sum0 = f32x4.add(sum0, v128.load(grad));
    sum1 = f32x4.add(sum1, v128.load(grad, 16));
    grad += rowBytes;
  }
  v128.store(target, sum0);
  v128.store(target, sum1, 16);
}

/**
 * The dY rows of a chunk (`floats` from float `first`): in place, or, when RELU_OUTPUT is set, masked
 * by relu's output (dY where output > 0, as reluBackward) into `scratch`, where they stay in L1; when
 * POOL_ARGMAX is set, routed from the pooled dY through the argmax into `scratch` (conv-pool.ts).
 */
function gradChunk(block: usize, scratch: usize, first: i32, floats: i32): usize {
  if (pointer(block, POOL_ARGMAX) != 0) return pooledGradChunk(block, scratch, first, floats);
  const grad = pointer(block, B_POINTER) + (<usize>first << 2);
  const mask = pointer(block, RELU_OUTPUT);
  if (mask == 0) return grad;
  const output = mask + (<usize>first << 2);
  for (let index = 0; index < floats; index += 4) {
    const offset = <usize>index << 2;
    const positive = f32x4.gt(v128.load(output + offset), f32x4.splat(0));
    v128.store(scratch + offset, v128.and(v128.load(grad + offset), positive));
  }
  return scratch;
}

/**
 * Filter gradient dW = im2col(x)ᵀ·dY (C = dW [k, n], B = dY [pixels, n]) and, when GRAD_BIAS is set,
 * db = Σ dY. Units (PARTIAL_COUNT) split the output rows; unit u writes its sums to partial u:
 * (k rounded up to 4, plus 1 bias row) × n floats. sumDirectPartials adds the partials.
 */
export function convFilterDirect(block: usize, firstUnit: i32, endUnit: i32): void {
  const n = word(block, N);
  const paddedRows = (word(block, M) + 3) & ~3;
  const partialBytes = <usize>((paddedRows + 1) * n) << 2;
  const units = word(block, PARTIAL_COUNT);
  const outRows = word(block, BATCH) * word(block, OUT_HEIGHT);
  const chunkRows = max(1, CHUNK_PIXELS / word(block, OUT_WIDTH));
  const scratch = takeScratch(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const partial = pointer(block, PARTIALS) + <usize>unit * partialBytes;
    memory.fill(partial, 0, partialBytes);
    const endRow = <i32>((<i64>(unit + 1) * outRows) / units);
    for (let chunk = <i32>((<i64>unit * outRows) / units); chunk < endRow; chunk += chunkRows) {
      const rows = min(chunkRows, endRow - chunk);
      const rowFloats = word(block, OUT_WIDTH) * n;
      const grad = gradChunk(block, scratch, chunk * rowFloats, rows * rowFloats);
      for (let group = 0; group < paddedRows; group += 4) {
        for (let column = 0; column < n; column += 8) {
          filterTile(block, partial + (<usize>(group * n + column) << 2), group, column, chunk, rows, grad);
        }
      }
      if (pointer(block, GRAD_BIAS) == 0) continue;
      // While the chunk's dY rows are still in L1.
      for (let column = 0; column < n; column += 8) {
        biasChunk(block, partial + (<usize>(paddedRows * n + column) << 2), column, rows, grad);
      }
    }
  }
}

/** Units are rows of dW (then the bias row when GRAD_BIAS is set): each is the sum of its row in every partial. */
export function sumDirectPartials(block: usize, firstUnit: i32, endUnit: i32): void {
  const m = word(block, M);
  const n = word(block, N);
  const paddedRows = (m + 3) & ~3;
  const partialFloats = (paddedRows + 1) * n;
  const units = word(block, PARTIAL_COUNT);
  for (let row = firstUnit; row < endUnit; row++) {
    const sourceRow = row < m ? row : paddedRows;
    const target = row < m ? pointer(block, C_POINTER) + (<usize>(row * n) << 2) : pointer(block, GRAD_BIAS);
    for (let column = 0; column < n; column++) {
      let sum: f32 = 0;
      for (let unit = 0; unit < units; unit++) {
        sum += load<f32>(pointer(block, PARTIALS) + (<usize>(unit * partialFloats + sourceRow * n + column) << 2));
      }
      store<f32>(target + (<usize>column << 2), sum);
    }
  }
}
