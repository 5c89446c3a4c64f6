// The train module's exports: matrix product drivers (GotoBLAS-style: pack, then 4x8 register
// tiles) for matmul and for convolution through implicit im2col. Every export follows the thread
// pool's convention (argumentBlock, firstUnit, endUnit) and writes only its own units' bytes.
// Direct shallow convolutions: direct.ts; relu and the optimizer updates: elementwise.ts.
import {
  A_KIND, B_POINTER, B_TRANSPOSED, KIND_IM2COL, BIAS_POINTER, CHANNELS, COLUMN_CHUNK, COLUMN_CHUNKS, C_POINTER, DEPTH_BLOCK, DEPTH_CHUNK, DILATION_HEIGHT,
  DILATION_WIDTH, GRAD_INPUT, INIT, IN_HEIGHT, IN_WIDTH, K, KERNEL_WIDTH, M, N, OUT_HEIGHT, OUT_WIDTH, PACKED_B,
  PAD_LEFT, PAD_TOP, PARTIALS, PARTIAL_COUNT, ROW_BLOCK, STRIDE_HEIGHT, STRIDE_WIDTH, pointer, takeScratch, word,
} from './arguments';
import { ORIGIN_BYTES, packIm2colPanel, placeOrigins } from './im2col';
import { packAPanel, packBPanel } from './pack';
import { INIT_LOAD, INIT_ZERO, multiplyBlock } from './tile';

export { adamUpdate, addForward, reluBackward, reluForward, sgdUpdate } from './elementwise';
export { convFilterDirect, convForwardDirect, sumDirectPartials } from './direct';
export { convPoolForwardDirect } from './conv-pool';
export { setThreadSlot } from '../shared/thread-slot';
export { transposePlanes } from './transpose';
export { fmaProbe, streamGatherProbe, streamSpreadProbe } from './probe';

/** Each scratch slot starts with the edge tile (128 bytes) and the window origins of a row block; packed A follows. */
const HEADER_BYTES: usize = 1024;
const ORIGINS_OFFSET: usize = 128;

/**
 * Units are 8-column panels of op(B); each is packed for every depth block into PACKED_B. A plain B
 * is walked row by row across the range's panels (each row read once, in order); a transposed B
 * panel by panel (its columns are the stored rows).
 */
export function packB(block: usize, firstUnit: i32, endUnit: i32): void {
  const k = word(block, K);
  const paddedColumns = (word(block, N) + 7) & ~7;
  const packed = pointer(block, PACKED_B);
  const rowWise = word(block, B_TRANSPOSED) == 0;
  for (let firstDepth = 0; firstDepth < k; firstDepth += DEPTH_BLOCK) {
    const depth = min(DEPTH_BLOCK, k - firstDepth);
    const packedBlock = packed + (<usize>(firstDepth * paddedColumns) << 2);
    if (rowWise) packPlainBRows(block, packedBlock, firstUnit, endUnit, firstDepth, depth);
    else {
      for (let panel = firstUnit; panel < endUnit; panel++) {
        packBPanel(block, packedBlock + (<usize>(panel * 8 * depth) << 2), panel * 8, firstDepth, depth);
      }
    }
  }
}

/** Panels [firstPanel, endPanel) of one depth block of a plain B, row by row; a last partial panel is zero-filled. */
function packPlainBRows(block: usize, target: usize, firstPanel: i32, endPanel: i32, firstDepth: i32, depth: i32): void {
  const n = word(block, N);
  const fullEnd = min(endPanel, n >> 3);
  const b = pointer(block, B_POINTER);
  for (let step = 0; step < depth; step++) {
    const source = b + (<usize>((firstDepth + step) * n) << 2);
    for (let panel = firstPanel; panel < fullEnd; panel++) {
      const at = target + (<usize>(panel * depth + step) << 5);
      v128.store(at, v128.load(source + (<usize>panel << 5)));
      v128.store(at, v128.load(source + (<usize>panel << 5), 16), 16);
    }
  }
  if (fullEnd < endPanel) packBPanel(block, target + (<usize>(fullEnd * depth) << 5), fullEnd * 8, firstDepth, depth);
}

/**
 * Packs rows [firstRow, firstRow + rows) of op(A), all depth blocks, block after block (ROW_BLOCK
 * rows each). im2col rows first get their window origins, in the slot header at `origins`.
 */
function packRows(block: usize, target: usize, origins: usize, firstRow: i32, rows: i32): void {
  const k = word(block, K);
  const rowBlock = word(block, ROW_BLOCK);
  const im2col = word(block, A_KIND) == KIND_IM2COL;
  if (im2col) placeOrigins(block, origins, firstRow, rows);
  for (let firstDepth = 0; firstDepth < k; firstDepth += DEPTH_BLOCK) {
    const depth = min(DEPTH_BLOCK, k - firstDepth);
    for (let row = 0; row < rows; row += 4) {
      const panel = target + (<usize>(firstDepth * rowBlock + row * depth) << 2);
      if (im2col) packIm2colPanel(block, panel, origins + <usize>row * ORIGIN_BYTES, firstDepth, depth);
      else packAPanel(block, panel, firstRow + row, firstDepth, depth);
    }
  }
}

/** C[rows, columns] at `c` (row stride rowFloats) from packed rows and PACKED_B, over every depth block. */
function multiplyPacked(
  block: usize, packedA: usize, firstColumn: i32, c: usize, rowFloats: i32, rows: i32, columns: i32, tile: usize,
): void {
  const k = word(block, K);
  const rowBlock = word(block, ROW_BLOCK);
  const paddedColumns = (word(block, N) + 7) & ~7;
  const init = word(block, INIT);
  const bias = pointer(block, BIAS_POINTER) + (<usize>firstColumn << 2);
  for (let firstDepth = 0; firstDepth < k; firstDepth += DEPTH_BLOCK) {
    const depth = min(DEPTH_BLOCK, k - firstDepth);
    const aBlock = packedA + (<usize>(firstDepth * rowBlock) << 2);
    const bBlock = pointer(block, PACKED_B) + (<usize>(firstDepth * paddedColumns + firstColumn * depth) << 2);
    const blockInit = firstDepth == 0 ? init : INIT_LOAD;
    multiplyBlock(aBlock, bBlock, depth, c, rowFloats, rows, columns, blockInit, bias, tile);
  }
}

/** Units are (row block, column chunk) pairs of C, row-major, so a range repacks A only at new row blocks. */
export function multiplyRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const tile = takeScratch(block);
  const packedA = tile + HEADER_BYTES;
  const m = word(block, M);
  const n = word(block, N);
  const rowBlock = word(block, ROW_BLOCK);
  const chunk = word(block, COLUMN_CHUNK);
  const chunks = word(block, COLUMN_CHUNKS);
  let packedRowBlock = -1;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const firstRow = (unit / chunks) * rowBlock;
    const rows = min(rowBlock, m - firstRow);
    if (unit / chunks != packedRowBlock) {
      packRows(block, packedA, tile + ORIGINS_OFFSET, firstRow, rows);
      packedRowBlock = unit / chunks;
    }
    const firstColumn = (unit % chunks) * chunk;
    const c = pointer(block, C_POINTER) + (<usize>(firstRow * n + firstColumn) << 2);
    multiplyPacked(block, packedA, firstColumn, c, n, rows, min(chunk, n - firstColumn), tile);
  }
}

/**
 * Convolution input gradient. Units are samples: each zeroes its gradInput sample, then per row block
 * of output pixels computes dCols = dY·Wᵀ into scratch and scatter-adds it (col2im) into gradInput.
 */
export function backwardInputSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const tile = takeScratch(block);
  const packedA = tile + HEADER_BYTES;
  const rowBlock = word(block, ROW_BLOCK);
  const paddedColumns = (word(block, N) + 7) & ~7; // whole tiles: B's padding columns compute zeros here
  const columns = packedA + (<usize>(rowBlock * word(block, K)) << 2);
  const pixels = word(block, OUT_HEIGHT) * word(block, OUT_WIDTH);
  const sampleFloats = word(block, IN_HEIGHT) * word(block, IN_WIDTH) * word(block, CHANNELS);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    memory.fill(pointer(block, GRAD_INPUT) + (<usize>(sample * sampleFloats) << 2), 0, <usize>sampleFloats << 2);
    for (let firstPixel = 0; firstPixel < pixels; firstPixel += rowBlock) {
      const firstRow = sample * pixels + firstPixel;
      const rows = min(rowBlock, pixels - firstPixel);
      packRows(block, packedA, tile + ORIGINS_OFFSET, firstRow, rows);
      multiplyPacked(block, packedA, 0, columns, paddedColumns, rows, paddedColumns, tile);
      placeOrigins(block, tile + ORIGINS_OFFSET, firstRow, rows);
      scatterColumns(block, columns, paddedColumns, tile + ORIGINS_OFFSET, rows);
    }
  }
}

/**
 * col2im: adds row r of `columns` ((tap, channel) of an output pixel, rowFloats apart) into the input
 * cells of that pixel's window, whose origin is entry r of `origins` (placeOrigins).
 */
function scatterColumns(block: usize, columns: usize, rowFloats: i32, origins: usize, rows: i32): void {
  const channels = word(block, CHANNELS);
  const taps = word(block, N) / channels;
  const kernelWidth = word(block, KERNEL_WIDTH);
  const height = word(block, IN_HEIGHT);
  const width = word(block, IN_WIDTH);
  const dilationHeight = word(block, DILATION_HEIGHT);
  const dilationWidth = word(block, DILATION_WIDTH);
  const gradInput = pointer(block, GRAD_INPUT);
  const channelBytes = <usize>channels << 2;
  for (let index = 0; index < rows; index++) {
    let source = columns + (<usize>(index * rowFloats) << 2);
    const origin = origins + <usize>index * ORIGIN_BYTES;
    const sample = gradInput + load<u32>(origin);
    const originColumn = load<i32>(origin, 8);
    let row = load<i32>(origin, 4);
    // Kernel row and column by counting: a division per tap would cost more than the adds.
    let kernelColumn = 0;
    for (let tap = 0; tap < taps; tap++) {
      const column = originColumn + kernelColumn * dilationWidth;
      if (row >= 0 && row < height && column >= 0 && column < width) {
        addChannels(sample + <usize>(row * width + column) * channelBytes, source, channels);
      }
      source += channelBytes;
      if (++kernelColumn == kernelWidth) {
        kernelColumn = 0;
        row += dilationHeight;
      }
    }
  }
}

@inline
function addChannels(target: usize, source: usize, channels: i32): void {
  let channel = 0;
  for (; channel + 4 <= channels; channel += 4) {
    const offset = <usize>channel << 2;
    v128.store(target + offset, f32x4.add(v128.load(target + offset), v128.load(source + offset)));
  }
  for (; channel < channels; channel++) {
    const offset = <usize>channel << 2;
    store<f32>(target + offset, load<f32>(target + offset) + load<f32>(source + offset));
  }
}

/**
 * Units are depth chunks (DEPTH_CHUNK of k each): for a small C over a long k (a filter gradient sums
 * over every output pixel), each unit writes its partial product to PARTIALS + unit·m·n; sumPartials adds them.
 */
export function multiplySplitDepth(block: usize, firstUnit: i32, endUnit: i32): void {
  const tile = takeScratch(block);
  const m = word(block, M);
  const n = word(block, N);
  const packedA = tile + HEADER_BYTES;
  const packedB = packedA + (<usize>(((m + 3) & ~3) * DEPTH_BLOCK) << 2);
  const chunk = word(block, DEPTH_CHUNK);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const partial = pointer(block, PARTIALS) + (<usize>(unit * m * n) << 2);
    const depthEnd = min(word(block, K), (unit + 1) * chunk);
    for (let firstDepth = unit * chunk; firstDepth < depthEnd; firstDepth += DEPTH_BLOCK) {
      const depth = min(DEPTH_BLOCK, depthEnd - firstDepth);
      // B is packed even when plain: read in place (rows n·4 bytes apart) it measured 1.8x slower.
      if (word(block, B_TRANSPOSED) == 0) packPlainBRows(block, packedB, 0, (n + 7) >> 3, firstDepth, depth);
      else {
        for (let column = 0; column < n; column += 8) {
          packBPanel(block, packedB + (<usize>(column * depth) << 2), column, firstDepth, depth);
        }
      }
      for (let row = 0; row < m; row += 4) packAPanel(block, packedA + (<usize>(row * depth) << 2), row, firstDepth, depth);
      const init = firstDepth == unit * chunk ? INIT_ZERO : INIT_LOAD;
      multiplyBlock(packedA, packedB, depth, partial, n, m, n, init, 0, tile);
    }
  }
}

/** Units are rows of C: C = (INIT is load ? C : 0) + Σ partials, added in unit order, four cells at a time. */
export function sumPartials(block: usize, firstUnit: i32, endUnit: i32): void {
  const n = word(block, N);
  const partialBytes = <usize>(word(block, M) * n) << 2;
  const count = word(block, PARTIAL_COUNT);
  const accumulate = word(block, INIT) == INIT_LOAD;
  const c = pointer(block, C_POINTER);
  const partials = pointer(block, PARTIALS);
  const end = endUnit * n;
  let index = firstUnit * n;
  for (; index + 4 <= end; index += 4) {
    const offset = <usize>index << 2;
    let sum = accumulate ? v128.load(c + offset) : f32x4.splat(0);
    for (let unit = 0; unit < count; unit++) sum = f32x4.add(sum, v128.load(partials + <usize>unit * partialBytes + offset));
    v128.store(c + offset, sum);
  }
  for (; index < end; index++) {
    const offset = <usize>index << 2;
    let sum: f32 = accumulate ? load<f32>(c + offset) : 0;
    for (let unit = 0; unit < count; unit++) sum += load<f32>(partials + <usize>unit * partialBytes + offset);
    store<f32>(c + offset, sum);
  }
}
