// MaxBlurPool's forward in one pass (reference: src/kernels/reference/extra/max-blur-pool.ts): the
// blur's row cache (blur.ts) is filled with rows of the dense (stride 1, unpadded) max pooling computed
// from the input, in f64, their argmax written as the pool module's maxPoolForward writes them; the
// maxima themselves are never stored. Max pooling's rule per window, cells row-major: a cell is taken
// when greater than the best so far or NaN (so NaN propagates and the first of tied maxima stays).
import { CHANNELS, IN_SIZE, SOURCE, pointer, word } from './arguments';
import { promoteHigh } from './blur-cells';

/** Block words of the fused forward: the raw input's sizes (3), the window's (3), the argmax tensor. */
export const RAW_SIZE = 80;
export const WINDOW = 83;
export const ARGMAX = 86;

/** Four channels' best so far and index, after `value` at spatial index `spatial` (max pooling's rule). */
@inline
function fold(best: v128, index: v128, value: v128, spatial: v128): v128 {
  return v128.bitselect(spatial, index, v128.or(f32x4.gt(value, best), f32x4.ne(value, value)));
}

/** maxRow for 2×2 windows (the seed's), unrolled: the first cell is always taken (−Infinity's rule), then three folds. */
function squareRow(input: usize, first: i32, inWidth: i32, denseWidth: i32, channels: i32, target: usize, argmax: usize): void {
  const cellBytes = <usize>channels << 2;
  const rowBytes = <usize>inWidth * cellBytes;
  let top = input + <usize>first * cellBytes;
  for (let column = 0; column < denseWidth; column++, top += cellBytes) {
    const spatial = first + column;
    const right = i32x4.splat(spatial + 1);
    const below = i32x4.splat(spatial + inWidth);
    const corner = i32x4.splat(spatial + inWidth + 1);
    let channel = 0;
    for (; channel + 4 <= channels; channel += 4) {
      const at = top + (<usize>channel << 2);
      let best = v128.load(at);
      let index = i32x4.splat(spatial);
      const b = v128.load(at + cellBytes);
      index = fold(best, index, b, right);
      best = v128.bitselect(b, best, v128.or(f32x4.gt(b, best), f32x4.ne(b, b)));
      const c = v128.load(at + rowBytes);
      index = fold(best, index, c, below);
      best = v128.bitselect(c, best, v128.or(f32x4.gt(c, best), f32x4.ne(c, c)));
      const d = v128.load(at + rowBytes + cellBytes);
      index = fold(best, index, d, corner);
      best = v128.bitselect(d, best, v128.or(f32x4.gt(d, best), f32x4.ne(d, d)));
      const out = target + ((<usize>(column * channels + channel)) << 3);
      v128.store(out, f64x2.promote_low_f32x4(best));
      v128.store(out, promoteHigh(best), 16);
      v128.store(argmax + ((<usize>(column * channels + channel)) << 2), index);
    }
    for (; channel < channels; channel++) {
      let best = load<f32>(top + (<usize>channel << 2));
      let index = spatial;
      for (let cell = 1; cell < 4; cell++) {
        const offset = (cell >> 1) * inWidth + (cell & 1);
        const value = load<f32>(top + (<usize>(offset * channels + channel) << 2));
        if (value > best || value != value) {
          best = value;
          index = spatial + offset;
        }
      }
      store<f64>(target + ((<usize>(column * channels + channel)) << 3), <f64>best);
      store<i32>(argmax + ((<usize>(column * channels + channel)) << 2), index);
    }
  }
}

/**
 * Dense row (slice, row) of `sample`: every column's window maximum, per channel, promoted to f64 at
 * `target`, and its spatial index (in the input plane) into the argmax tensor.
 */
export function maxRow(block: usize, sample: i32, slice: i32, row: i32, target: usize): void {
  const channels = word(block, CHANNELS);
  const denseDepth = word(block, IN_SIZE);
  const denseHeight = word(block, IN_SIZE + 1);
  const denseWidth = word(block, IN_SIZE + 2);
  const inHeight = word(block, RAW_SIZE + 1);
  const inWidth = word(block, RAW_SIZE + 2);
  const windowDepth = word(block, WINDOW);
  const windowHeight = word(block, WINDOW + 1);
  const windowWidth = word(block, WINDOW + 2);
  const input = pointer(block, SOURCE) + ((<usize>sample * <usize>(word(block, RAW_SIZE) * inHeight * inWidth * channels)) << 2);
  const denseCell = ((sample * denseDepth + slice) * denseHeight + row) * denseWidth;
  const argmax = pointer(block, ARGMAX) + ((<usize>denseCell * <usize>channels) << 2);
  if (windowDepth == 1 && windowHeight == 2 && windowWidth == 2) {
    squareRow(input, (slice * inHeight + row) * inWidth, inWidth, denseWidth, channels, target, argmax);
    return;
  }
  for (let column = 0; column < denseWidth; column++) {
    const first = (slice * inHeight + row) * inWidth + column;
    let channel = 0;
    for (; channel + 4 <= channels; channel += 4) {
      let best = f32x4.splat(-Infinity);
      let index = i32x4.splat(first);
      for (let depth = 0; depth < windowDepth; depth++)
        for (let height = 0; height < windowHeight; height++)
          for (let width = 0; width < windowWidth; width++) {
            const spatial = first + (depth * inHeight + height) * inWidth + width;
            const value = v128.load(input + ((<usize>(spatial * channels + channel)) << 2));
            const take = v128.or(f32x4.gt(value, best), f32x4.ne(value, value));
            best = v128.bitselect(value, best, take);
            index = v128.bitselect(i32x4.splat(spatial), index, take);
          }
      const at = target + ((<usize>(column * channels + channel)) << 3);
      v128.store(at, f64x2.promote_low_f32x4(best));
      v128.store(at, promoteHigh(best), 16);
      v128.store(argmax + ((<usize>(column * channels + channel)) << 2), index);
    }
    for (; channel < channels; channel++) {
      let best: f32 = -Infinity;
      let index = first;
      for (let depth = 0; depth < windowDepth; depth++)
        for (let height = 0; height < windowHeight; height++)
          for (let width = 0; width < windowWidth; width++) {
            const spatial = first + (depth * inHeight + height) * inWidth + width;
            const value = load<f32>(input + ((<usize>(spatial * channels + channel)) << 2));
            if (value > best || value != value) {
              best = value;
              index = spatial;
            }
          }
      store<f64>(target + ((<usize>(column * channels + channel)) << 3), <f64>best);
      store<i32>(argmax + ((<usize>(column * channels + channel)) << 2), index);
    }
  }
}
