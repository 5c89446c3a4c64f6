// Packing straight from an NHWC convolution input: im2col rows (one per output pixel, columns
// (tap, channel), for the forward product) and im2col columns (one per (tap, channel), running over
// output pixels, for the filter gradient). Cells in the padding read as zero.
import {
  A_POINTER, CHANNELS, DILATION_HEIGHT, DILATION_WIDTH, IN_HEIGHT, IN_WIDTH, KERNEL_HEIGHT, KERNEL_WIDTH, M,
  OUT_HEIGHT, OUT_WIDTH, PAD_LEFT, PAD_TOP, STRIDE_HEIGHT, STRIDE_WIDTH, pointer, word,
} from './arguments';

/** Bytes per window origin in the origins table: sample byte offset, top row, left column. */
export const ORIGIN_BYTES: usize = 12;

/**
 * The window origins of output pixels firstRow.. (rows rounded up to 4) into `origins`, counting
 * instead of dividing per pixel. A lane past the last pixel starts far outside, so it packs zeros.
 */
export function placeOrigins(block: usize, origins: usize, firstRow: i32, rows: i32): void {
  const outWidth = word(block, OUT_WIDTH);
  const outHeight = word(block, OUT_HEIGHT);
  const sampleBytes = <usize>(word(block, IN_HEIGHT) * word(block, IN_WIDTH) * word(block, CHANNELS)) << 2;
  let column = firstRow % outWidth;
  let row = (firstRow / outWidth) % outHeight;
  let sample = firstRow / (outWidth * outHeight);
  for (let index = 0; index < ((rows + 3) & ~3); index++) {
    const at = origins + <usize>index * ORIGIN_BYTES;
    const real = firstRow + index < word(block, M);
    store<u32>(at, <usize>sample * sampleBytes);
    store<i32>(at, real ? row * word(block, STRIDE_HEIGHT) - word(block, PAD_TOP) : -(1 << 30), 4);
    store<i32>(at, column * word(block, STRIDE_WIDTH) - word(block, PAD_LEFT), 8);
    if (++column == outWidth) {
      column = 0;
      if (++row == outHeight) {
        row = 0;
        sample++;
      }
    }
  }
}

/** Byte offset of input cell (row, column) of a sample, or -1 in the padding. */
@inline
function cellOf(sampleBytes: usize, row: i32, column: i32, height: i32, width: i32, channelBytes: usize): isize {
  if (row < 0 || row >= height || column < 0 || column >= width) return -1;
  return <isize>(sampleBytes + <usize>(row * width + column) * channelBytes);
}

/** Whether the whole window of the origin at `at` lies inside the input (no padding tap). */
@inline
function windowInside(block: usize, at: usize): bool {
  const row = load<i32>(at, 4);
  const column = load<i32>(at, 8);
  const lastRow = row + (word(block, KERNEL_HEIGHT) - 1) * word(block, DILATION_HEIGHT);
  const lastColumn = column + (word(block, KERNEL_WIDTH) - 1) * word(block, DILATION_WIDTH);
  return row >= 0 && column >= 0 && lastRow < word(block, IN_HEIGHT) && lastColumn < word(block, IN_WIDTH);
}

/**
 * im2col rows of the 4 output pixels whose origins start at `origins`, columns (tap, channel) from
 * firstDepth: 4 lanes per store. Windows wholly inside the input take the fast path (packInterior).
 */
export function packIm2colPanel(block: usize, target: usize, origins: usize, firstDepth: i32, depth: i32): void {
  if (
    windowInside(block, origins) && windowInside(block, origins + ORIGIN_BYTES) &&
    windowInside(block, origins + 2 * ORIGIN_BYTES) && windowInside(block, origins + 3 * ORIGIN_BYTES)
  ) {
    packInterior(block, target, origins, firstDepth, depth);
    return;
  }
  const channels = word(block, CHANNELS);
  const kernelWidth = word(block, KERNEL_WIDTH);
  const height = word(block, IN_HEIGHT);
  const width = word(block, IN_WIDTH);
  const channelBytes = <usize>channels << 2;
  const input = pointer(block, A_POINTER);
  let channel = firstDepth % channels;
  let tap = firstDepth / channels;
  let cell0: isize = -1, cell1: isize = -1, cell2: isize = -1, cell3: isize = -1;
  for (let step = 0; step < depth; step++) {
    if (step == 0 || channel == 0) {
      const rowShift = (tap / kernelWidth) * word(block, DILATION_HEIGHT);
      const columnShift = (tap % kernelWidth) * word(block, DILATION_WIDTH);
      cell0 = cellOf(load<u32>(origins), load<i32>(origins, 4) + rowShift, load<i32>(origins, 8) + columnShift, height, width, channelBytes);
      cell1 = cellOf(load<u32>(origins, 12), load<i32>(origins, 16) + rowShift, load<i32>(origins, 20) + columnShift, height, width, channelBytes);
      cell2 = cellOf(load<u32>(origins, 24), load<i32>(origins, 28) + rowShift, load<i32>(origins, 32) + columnShift, height, width, channelBytes);
      cell3 = cellOf(load<u32>(origins, 36), load<i32>(origins, 40) + rowShift, load<i32>(origins, 44) + columnShift, height, width, channelBytes);
    }
    const at = input + (<usize>channel << 2);
    let value = f32x4.splat(cell0 < 0 ? 0 : load<f32>(at + <usize>cell0));
    value = f32x4.replace_lane(value, 1, cell1 < 0 ? 0 : load<f32>(at + <usize>cell1));
    value = f32x4.replace_lane(value, 2, cell2 < 0 ? 0 : load<f32>(at + <usize>cell2));
    value = f32x4.replace_lane(value, 3, cell3 < 0 ? 0 : load<f32>(at + <usize>cell3));
    v128.store(target + (<usize>step << 4), value);
    if (++channel == channels) {
      channel = 0;
      tap++;
    }
  }
}

/** packIm2colPanel when no tap of the 4 windows is padding: one offset per (tap, channel) serves all lanes. */
function packInterior(block: usize, target: usize, origins: usize, firstDepth: i32, depth: i32): void {
  const channels = word(block, CHANNELS);
  const kernelWidth = word(block, KERNEL_WIDTH);
  const width = word(block, IN_WIDTH);
  const channelBytes = <usize>channels << 2;
  const input = pointer(block, A_POINTER);
  const lane0 = input + load<u32>(origins) + <usize>(load<i32>(origins, 4) * width + load<i32>(origins, 8)) * channelBytes;
  const lane1 = input + load<u32>(origins, 12) + <usize>(load<i32>(origins, 16) * width + load<i32>(origins, 20)) * channelBytes;
  const lane2 = input + load<u32>(origins, 24) + <usize>(load<i32>(origins, 28) * width + load<i32>(origins, 32)) * channelBytes;
  const lane3 = input + load<u32>(origins, 36) + <usize>(load<i32>(origins, 40) * width + load<i32>(origins, 44)) * channelBytes;
  const columnStep = <usize>word(block, DILATION_WIDTH) * channelBytes;
  const rowStep = <usize>(word(block, DILATION_HEIGHT) * width) * channelBytes - <usize>kernelWidth * columnStep;
  const tap = firstDepth / channels;
  let channel = firstDepth % channels;
  let kernelColumn = tap % kernelWidth;
  let offset = <usize>((tap / kernelWidth) * word(block, DILATION_HEIGHT) * width) * channelBytes +
    <usize>kernelColumn * columnStep + (<usize>channel << 2);
  for (let step = 0; step < depth; step++) {
    let value = f32x4.splat(load<f32>(lane0 + offset));
    value = f32x4.replace_lane(value, 1, load<f32>(lane1 + offset));
    value = f32x4.replace_lane(value, 2, load<f32>(lane2 + offset));
    value = f32x4.replace_lane(value, 3, load<f32>(lane3 + offset));
    v128.store(target + (<usize>step << 4), value);
    offset += 4;
    if (++channel == channels) {
      channel = 0;
      offset += columnStep - channelBytes;
      if (++kernelColumn == kernelWidth) {
        kernelColumn = 0;
        offset += rowStep;
      }
    }
  }
}

/**
 * The output columns whose input column ow·stride + offset lies in [0, width): [first, end), found
 * once per lane. Quotients round up as (n - 1) / stride + 1: n + stride - 1 may pass 2^31.
 */
@inline
function insideColumns(offset: i32, stride: i32, width: i32, outWidth: i32): u64 {
  const first = offset >= 0 ? 0 : min(outWidth, (-offset - 1) / stride + 1);
  const end = width - offset <= 0 ? first : max(first, min(outWidth, (width - offset - 1) / stride + 1));
  return (<u64>first << 32) | <u64>end;
}

/**
 * Transposed im2col: row `filterIndex` = (tap, channel), columns = output pixels from firstDepth on,
 * in runs along output rows: zeros, then loads with one stride, then zeros.
 */
export function packIm2colColumn(block: usize, target: usize, filterIndex: i32, firstDepth: i32, depth: i32): void {
  const channels = word(block, CHANNELS);
  const outWidth = word(block, OUT_WIDTH);
  const outHeight = word(block, OUT_HEIGHT);
  const height = word(block, IN_HEIGHT);
  const strideWidth = word(block, STRIDE_WIDTH);
  const rowBytes = <usize>(word(block, IN_WIDTH) * channels) << 2;
  const columnStep = <usize>(strideWidth * channels) << 2;
  const tap = filterIndex / channels;
  const rowOffset = (tap / word(block, KERNEL_WIDTH)) * word(block, DILATION_HEIGHT) - word(block, PAD_TOP);
  const columnOffset = (tap % word(block, KERNEL_WIDTH)) * word(block, DILATION_WIDTH) - word(block, PAD_LEFT);
  const columns = insideColumns(columnOffset, strideWidth, word(block, IN_WIDTH), outWidth);
  const firstInside = <i32>(columns >> 32);
  const endInside = <i32>columns;
  // Byte offset of input (row 0, column of output column 0, channel) in the sample; wraps harmlessly when negative.
  const input = pointer(block, A_POINTER) + (<usize>(filterIndex % channels) << 2) + <usize>(columnOffset * channels) * 4;
  let outColumn = firstDepth % outWidth;
  let outRow = (firstDepth / outWidth) % outHeight;
  let sampleStart = input + <usize>(firstDepth / (outWidth * outHeight)) * <usize>height * rowBytes;
  for (let step = 0; step < depth; ) {
    const run = min(outWidth - outColumn, depth - step);
    const row = outRow * word(block, STRIDE_HEIGHT) + rowOffset;
    const rowInside = row >= 0 && row < height;
    const inside = rowInside ? min(run, max(0, firstInside - outColumn)) : run;
    const beyond = rowInside ? max(inside, min(run, endInside - outColumn)) : run;
    const source = sampleStart + <usize>row * rowBytes + <usize>outColumn * columnStep;
    const runTarget = target + (<usize>step << 4);
    for (let index = 0; index < inside; index++) store<f32>(runTarget + (<usize>index << 4), 0);
    for (let index = inside; index < beyond; index++) {
      store<f32>(runTarget + (<usize>index << 4), load<f32>(source + <usize>index * columnStep));
    }
    for (let index = beyond; index < run; index++) store<f32>(runTarget + (<usize>index << 4), 0);
    step += run;
    outColumn += run;
    if (outColumn == outWidth) {
      outColumn = 0;
      if (++outRow == outHeight) {
        outRow = 0;
        sampleStart += <usize>height * rowBytes;
      }
    }
  }
}
