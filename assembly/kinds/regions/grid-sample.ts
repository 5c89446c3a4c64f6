// S3Pool's grid sampling (gridSampleForward of src/kernels/reference/extra/s3-pool.ts): the dense
// maxima and their argmax at the chosen rows of every axis, the same rows in every plane. A unit
// is an output row over all channels (channels-last: each cell is a vector copy of its channels)
// or a plane (channels-first).
import { pointer, word } from '../../pool/arguments';

// Argument words (src/kernels/wasm/kinds/regions-s3.ts writes them).
const CHANNELS = 1;
/** IN_SIZE + axis, OUT_SIZE + axis, ROWS + axis: axis 0 depth, 1 height, 2 width. */
const IN_SIZE = 3;
const OUT_SIZE = 6;
const MAXIMA = 9;
const MAXIMA_ARGMAX = 10;
const OUTPUT = 11;
const ARGMAX = 12;
const ROWS = 13;

@inline
function kept(block: usize, rows: i32, axis: i32, index: i32): i32 {
  return load<i32>(pointer(block, rows + axis) + (<usize>index << 2));
}

/**
 * Spatial index in the input (sizes at IN_SIZE) of output cell (depth, height, width), the kept
 * rows' table pointers at words rows, rows + 1, rows + 2.
 */
@inline
export function keptCell(block: usize, rows: i32, depth: i32, height: i32, width: i32): i32 {
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  return (kept(block, rows, 0, depth) * inHeight + kept(block, rows, 1, height)) * inWidth + kept(block, rows, 2, width);
}

/** Copies `count` 4-byte elements of both pairs (values and their argmax). */
@inline
function copyPairs(from: usize, fromIndices: usize, to: usize, toIndices: usize, count: i32): void {
  let index = 0;
  for (; index + 4 <= count; index += 4) {
    const offset = <usize>index << 2;
    v128.store(to + offset, v128.load(from + offset));
    v128.store(toIndices + offset, v128.load(fromIndices + offset));
  }
  for (; index < count; index++) {
    const offset = <usize>index << 2;
    store<i32>(to + offset, load<i32>(from + offset));
    store<i32>(toIndices + offset, load<i32>(fromIndices + offset));
  }
}

export function gridSampleRows(block: usize, first: i32, end: i32): void {
  const channels = word(block, CHANNELS);
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const inSpatial = <usize>word(block, IN_SIZE) * <usize>word(block, IN_SIZE + 1) * <usize>word(block, IN_SIZE + 2);
  const cellBytes = <usize>channels << 2;
  for (let unit = first; unit < end; unit++) {
    const height = unit % outHeight;
    const depth = (unit / outHeight) % outDepth;
    const sampleBytes = <usize>(unit / (outHeight * outDepth)) * inSpatial * cellBytes;
    let at = <usize>unit * <usize>outWidth * cellBytes;
    for (let width = 0; width < outWidth; width++, at += cellBytes) {
      const from = sampleBytes + <usize>keptCell(block, ROWS, depth, height, width) * cellBytes;
      copyPairs(pointer(block, MAXIMA) + from, pointer(block, MAXIMA_ARGMAX) + from, pointer(block, OUTPUT) + at, pointer(block, ARGMAX) + at, channels);
    }
  }
}

export function gridSamplePlanes(block: usize, first: i32, end: i32): void {
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const inSpatial = <usize>word(block, IN_SIZE) * <usize>word(block, IN_SIZE + 1) * <usize>word(block, IN_SIZE + 2);
  for (let plane = first; plane < end; plane++) {
    const from = <usize>plane * inSpatial;
    let at = (<usize>plane * <usize>outDepth * <usize>outHeight * <usize>outWidth) << 2;
    for (let depth = 0; depth < outDepth; depth++) {
      for (let height = 0; height < outHeight; height++) {
        for (let width = 0; width < outWidth; width++, at += 4) {
          const source = (from + <usize>keptCell(block, ROWS, depth, height, width)) << 2;
          store<i32>(pointer(block, OUTPUT) + at, load<i32>(pointer(block, MAXIMA) + source));
          store<i32>(pointer(block, ARGMAX) + at, load<i32>(pointer(block, MAXIMA_ARGMAX) + source));
        }
      }
    }
  }
}
