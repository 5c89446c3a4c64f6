// Fractional max pooling's forward (fractionalMaxPoolForward of src/kernels/reference/extra/
// fractional-max-pool.ts): the max of every region, each plane with its own regions per axis. A unit
// is a plane (channels-first) or an output row over all channels (channels-last).
import { pointer, word } from '../../pool/arguments';

// Argument words (src/kernels/wasm/kinds/regions-fractional.ts writes them).
const BATCH = 0;
const CHANNELS = 1;
const CHANNELS_LAST = 2;
/** IN_SIZE + axis, OUT_SIZE + axis: axis 0 depth, 1 height, 2 width. */
const IN_SIZE = 3;
const OUT_SIZE = 6;
const INPUT = 9;
const OUTPUT = 10;
const ARGMAX = 11;
/** STARTS + axis, ENDS + axis: [plane · out size + index] region bounds. */
const STARTS = 12;
const ENDS = 15;

@inline
function bound(block: usize, field: i32, axis: i32, slot: i32): i32 {
  return load<i32>(pointer(block, field + axis) + (<usize>slot << 2));
}

/** Sizes read once per call into globals (per instance, so per thread). */
let channels: i32 = 0;
let inHeight: i32 = 0;
let inWidth: i32 = 0;
let outDepth: i32 = 0;
let outHeight: i32 = 0;
let outWidth: i32 = 0;
let inSpatial: usize = 0;
let outSpatial: usize = 0;

function readSizes(block: usize): void {
  channels = word(block, CHANNELS);
  inHeight = word(block, IN_SIZE + 1);
  inWidth = word(block, IN_SIZE + 2);
  outDepth = word(block, OUT_SIZE);
  outHeight = word(block, OUT_SIZE + 1);
  outWidth = word(block, OUT_SIZE + 2);
  inSpatial = <usize>word(block, IN_SIZE) * <usize>inHeight * <usize>inWidth;
  outSpatial = <usize>outDepth * <usize>outHeight * <usize>outWidth;
}

/**
 * The max of plane `plane`'s region at output cell (depth, height, width): its value and flat
 * spatial argmax (first of ties; a NaN replaces the best, so the last NaN wins) written at `at`.
 */
@inline
function regionMax(block: usize, plane: i32, depth: i32, height: i32, width: i32, inBase: usize, cellStride: usize, at: usize): void {
  const sliceStart = bound(block, STARTS, 0, plane * outDepth + depth);
  const sliceEnd = bound(block, ENDS, 0, plane * outDepth + depth);
  const rowStart = bound(block, STARTS, 1, plane * outHeight + height);
  const rowEnd = bound(block, ENDS, 1, plane * outHeight + height);
  const columnStart = bound(block, STARTS, 2, plane * outWidth + width);
  const columnEnd = bound(block, ENDS, 2, plane * outWidth + width);
  const input = pointer(block, INPUT);
  let best = -Infinity as f32;
  let bestIndex = -1;
  for (let slice = sliceStart; slice < sliceEnd; slice++) {
    for (let row = rowStart; row < rowEnd; row++) {
      const rowIndex = (slice * inHeight + row) * inWidth;
      for (let column = columnStart; column < columnEnd; column++) {
        const spatialIndex = rowIndex + column;
        const value = load<f32>(input + ((inBase + <usize>spatialIndex * cellStride) << 2));
        if (bestIndex < 0) bestIndex = spatialIndex;
        if (value > best || value != value) {
          best = value;
          bestIndex = spatialIndex;
        }
      }
    }
  }
  store<f32>(pointer(block, OUTPUT) + at, best);
  store<i32>(pointer(block, ARGMAX) + at, bestIndex);
}

/** Channels-first: a unit is one plane (sample · channels + channel), contiguous in memory. */
export function fractionalMaxPlanes(block: usize, first: i32, end: i32): void {
  readSizes(block);
  for (let plane = first; plane < end; plane++) {
    const inBase = <usize>plane * inSpatial;
    let at = (<usize>plane * outSpatial) << 2;
    for (let depth = 0; depth < outDepth; depth++) {
      for (let height = 0; height < outHeight; height++) {
        for (let width = 0; width < outWidth; width++, at += 4) regionMax(block, plane, depth, height, width, inBase, 1, at);
      }
    }
  }
}

/**
 * Channels-last: a unit is one output row (sample, depth, height) over every channel, channels
 * innermost, so the regions of neighbouring channels read the same few cache lines.
 */
export function fractionalMaxRows(block: usize, first: i32, end: i32): void {
  readSizes(block);
  const cellStride = <usize>channels;
  for (let unit = first; unit < end; unit++) {
    const height = unit % outHeight;
    const depth = (unit / outHeight) % outDepth;
    const sample = unit / (outHeight * outDepth);
    const inBase = <usize>sample * inSpatial * cellStride;
    let at = (<usize>unit * <usize>outWidth * cellStride) << 2;
    for (let width = 0; width < outWidth; width++) {
      for (let channel = 0; channel < channels; channel++, at += 4) {
        regionMax(block, sample * channels + channel, depth, height, width, inBase + <usize>channel, cellStride, at);
      }
    }
  }
}
