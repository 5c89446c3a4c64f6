// A direct convolution fused with the 2x2 stride-2 VALID max pool after it (the seed CNN's
// Conv2D → MaxPooling2D). The forward computes each pooling window's four convolution pixels as one
// 4x8 tile (forwardTile, so every value rounds exactly as the unfused convolution's) and keeps only
// their maximum and its argmax: the full-size convolution output is never written or read back. The
// filter gradient reads the pooled dY through the argmax (pooledGradChunk), so the full-size dY that
// the max pool's backward would write is never made either. A relu after the pool (RELU) is applied
// to the pooled maximum before it is stored, and its gradient mask (RELU_OUTPUT, the pooled output)
// is applied as the pooled dY is read: no pass of its own over the pooled tensor either way.
import {
  A_POINTER, BIAS_POINTER, B_POINTER, IN_HEIGHT, IN_WIDTH, CHANNELS, K, N, OUT_HEIGHT, OUT_WIDTH, POOL_ARGMAX,
  POOL_HEIGHT, POOL_OUTPUT, POOL_WIDTH, RELU, RELU_OUTPUT, STRIDE_HEIGHT, STRIDE_WIDTH, TAP_TABLE_BYTES, pointer,
  takeScratch, word,
} from './arguments';
import { forwardTile } from './direct';
import { takes } from '../pool/max-lanes';

/**
 * Max over the 4 rows of a tile's 4 columns at byte `offset`, stored at the same offset of `output`
 * and `argmax`: NaN wins and the last NaN is the argmax, else the first maximum in window order, as
 * maxPoolForward; `first` is row 0's flat index. With `relu` the stored value is relu's (x < 0 ? 0 : x,
 * so NaN and -0 pass, as reluForward).
 */
@inline
function poolColumns(
  tile: usize, offset: usize, first: i32, convWidth: i32, output: usize, argmax: usize, relu: bool,
): void {
  let best = v128.load(tile + offset);
  let index = i32x4.splat(first);
  for (let row = 1; row < 4; row++) {
    const value = v128.load(tile + offset + (<usize>row << 5));
    const take = takes(value, best);
    best = v128.bitselect(value, best, take);
    index = v128.bitselect(i32x4.splat(first + (row >> 1) * convWidth + (row & 1)), index, take);
  }
  if (relu) best = v128.bitselect(f32x4.splat(0), best, f32x4.lt(best, f32x4.splat(0)));
  v128.store(output + offset, best);
  v128.store(argmax + offset, index);
}

/**
 * Units are rows of the pooled output (batch · pooled height). Window (py, px) holds convolution
 * pixels (2py + dy, 2px + dx), computed as the tile's rows in window order (0,0), (0,1), (1,0), (1,1).
 */
export function convPoolForwardDirect(block: usize, firstUnit: i32, endUnit: i32): void {
  const tile = takeScratch(block);
  const n = word(block, N);
  const k = word(block, K);
  const rowBytes = <usize>n << 2;
  const pooledHeight = word(block, POOL_HEIGHT);
  const pooledWidth = word(block, POOL_WIDTH);
  const convWidth = word(block, OUT_WIDTH);
  const inRowBytes = <usize>(word(block, IN_WIDTH) * word(block, CHANNELS)) << 2;
  const pixelStep = <usize>(word(block, STRIDE_WIDTH) * word(block, CHANNELS)) << 2;
  const convRowStep = <usize>word(block, STRIDE_HEIGHT) * inRowBytes;
  const sampleBytes = <usize>word(block, IN_HEIGHT) * inRowBytes;
  const bias = pointer(block, BIAS_POINTER);
  const taps = block + TAP_TABLE_BYTES;
  const relu = word(block, RELU) != 0;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const sample = unit / pooledHeight;
    const y = (unit % pooledHeight) * 2;
    const rowOrigin = pointer(block, A_POINTER) + <usize>sample * sampleBytes + <usize>y * convRowStep;
    for (let px = 0; px < pooledWidth; px++) {
      const x = px * 2;
      const lane0 = rowOrigin + <usize>x * pixelStep;
      const at = <usize>(unit * pooledWidth + px) * rowBytes;
      const output = pointer(block, POOL_OUTPUT) + at;
      const argmax = pointer(block, POOL_ARGMAX) + at;
      for (let column = 0; column < n; column += 8) {
        const columnBytes = <usize>column << 2;
        const filter = pointer(block, B_POINTER) + columnBytes;
        const columnBias: usize = bias == 0 ? 0 : bias + columnBytes;
        forwardTile(k, lane0, lane0 + pixelStep, lane0 + convRowStep, lane0 + convRowStep + pixelStep, taps, filter,
          rowBytes, tile, 32, columnBias);
        poolColumns(tile, 0, y * convWidth + x, convWidth, output + columnBytes, argmax + columnBytes, relu);
        poolColumns(tile, 16, y * convWidth + x, convWidth, output + columnBytes, argmax + columnBytes, relu);
      }
    }
  }
}

/**
 * The convolution dY rows of a filter-gradient chunk (`floats` from float `first` of the full-size
 * dY), made in `scratch` from the pooled dY (B_POINTER) and argmax: a pixel gets its window's dY where
 * it is the argmax, else +0; rows and columns past the last whole window get +0. These are the numbers
 * maxPoolBackward writes (+0 plus each share), so the product rounds as the unfused path. Each window's
 * argmax and dY are loaded once per convolution row and give both of its pixels in that row. When
 * RELU_OUTPUT is set, a window's dY counts only where that pooled output is > 0 (reluBackward's mask).
 */
export function pooledGradChunk(block: usize, scratch: usize, first: i32, floats: i32): usize {
  const n = word(block, N);
  const convHeight = word(block, OUT_HEIGHT);
  const convWidth = word(block, OUT_WIDTH);
  const pooledHeight = word(block, POOL_HEIGHT);
  const pooledWidth = word(block, POOL_WIDTH);
  const argmaxes = pointer(block, POOL_ARGMAX);
  const grads = pointer(block, B_POINTER);
  const reluOutput = pointer(block, RELU_OUTPUT);
  const pixelBytes = <usize>n << 2;
  const rowFloats = convWidth * n;
  const firstRow = first / rowFloats;
  const zero = f32x4.splat(0);
  let target = scratch;
  for (let row = firstRow; row < firstRow + floats / rowFloats; row++) {
    const y = row % convHeight;
    const rowEnd = target + <usize>rowFloats * 4;
    if ((y >> 1) < pooledHeight) {
      const windowRow = (row / convHeight) * pooledHeight + (y >> 1);
      let source = <usize>(windowRow * pooledWidth * n) << 2;
      for (let px = 0; px < pooledWidth; px++) {
        const left = i32x4.splat(y * convWidth + 2 * px);
        const right = i32x4.splat(y * convWidth + 2 * px + 1);
        for (let offset: usize = 0; offset < pixelBytes; offset += 16) {
          const argmax = v128.load(argmaxes + source + offset);
          let grad = v128.load(grads + source + offset);
          if (reluOutput != 0) grad = v128.and(grad, f32x4.gt(v128.load(reluOutput + source + offset), zero));
          v128.store(target + offset, f32x4.add(zero, v128.and(grad, i32x4.eq(argmax, left))));
          v128.store(target + pixelBytes + offset, f32x4.add(zero, v128.and(grad, i32x4.eq(argmax, right))));
        }
        source += pixelBytes;
        target += pixelBytes << 1;
      }
    }
    // A row past the last whole window, or the column past it on an odd width.
    for (; target < rowEnd; target += 16) v128.store(target, zero);
  }
  return scratch;
}
