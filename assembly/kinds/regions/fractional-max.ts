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
function regionMax(block: usize, depthSlot: i32, heightSlot: i32, widthSlot: i32, inBase: usize, cellStride: usize, at: usize): void {
  const sliceStart = bound(block, STARTS, 0, depthSlot);
  const sliceEnd = bound(block, ENDS, 0, depthSlot);
  const rowStart = bound(block, STARTS, 1, heightSlot);
  const rowEnd = bound(block, ENDS, 1, heightSlot);
  const columnStart = bound(block, STARTS, 2, widthSlot);
  const columnEnd = bound(block, ENDS, 2, widthSlot);
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
        for (let width = 0; width < outWidth; width++, at += 4) {
          regionMax(block, plane * outDepth + depth, plane * outHeight + height, plane * outWidth + width, inBase, 1, at);
        }
      }
    }
  }
}

/** The least and the greatest of four i32 lanes. */
@inline
function laneMin(lanes: v128): i32 {
  const half = i32x4.min_s(lanes, i32x4.shuffle(lanes, lanes, 2, 3, 0, 1));
  return i32x4.extract_lane(i32x4.min_s(half, i32x4.shuffle(half, half, 1, 0, 3, 2)), 0);
}

@inline
function laneMax(lanes: v128): i32 {
  const half = i32x4.max_s(lanes, i32x4.shuffle(lanes, lanes, 2, 3, 0, 1));
  return i32x4.extract_lane(i32x4.max_s(half, i32x4.shuffle(half, half, 1, 0, 3, 2)), 0);
}

/**
 * Four neighbouring channels' regions at once (channels-last: their cells are one vector load):
 * the box around the four regions is walked in row-major order, each lane taking only its own
 * cells, so each lane sees its region's cells in the reference's order; no branch on the values.
 */
@inline
function regionMaxLanes(block: usize, depthSlot: i32, heightSlot: i32, widthSlot: i32, inBase: usize, at: usize): void {
  const depthStarts = v128.load(pointer(block, STARTS) + (<usize>depthSlot << 2));
  const depthEnds = v128.load(pointer(block, ENDS) + (<usize>depthSlot << 2));
  const rowStarts = v128.load(pointer(block, STARTS + 1) + (<usize>heightSlot << 2));
  const rowEnds = v128.load(pointer(block, ENDS + 1) + (<usize>heightSlot << 2));
  const columnStarts = v128.load(pointer(block, STARTS + 2) + (<usize>widthSlot << 2));
  const columnEnds = v128.load(pointer(block, ENDS + 2) + (<usize>widthSlot << 2));
  const columnFirst = laneMin(columnStarts);
  const columnEnd = laneMax(columnEnds);
  const input = pointer(block, INPUT);
  const cellBytes = <usize>channels << 2;
  let best = f32x4.splat(-Infinity);
  let bestIndex = i32x4.splat(-1);
  for (let slice = laneMin(depthStarts), sliceEnd = laneMax(depthEnds); slice < sliceEnd; slice++) {
    const sliceLanes = i32x4.splat(slice);
    const inSlice = v128.and(i32x4.ge_s(sliceLanes, depthStarts), i32x4.lt_s(sliceLanes, depthEnds));
    for (let row = laneMin(rowStarts), rowEnd = laneMax(rowEnds); row < rowEnd; row++) {
      const rowLanes = i32x4.splat(row);
      const inRow = v128.and(inSlice, v128.and(i32x4.ge_s(rowLanes, rowStarts), i32x4.lt_s(rowLanes, rowEnds)));
      const rowIndex = (slice * inHeight + row) * inWidth;
      let cell = input + ((inBase + <usize>(rowIndex + columnFirst) * <usize>channels) << 2);
      for (let column = columnFirst; column < columnEnd; column++, cell += cellBytes) {
        const columnLanes = i32x4.splat(column);
        const inRegion = v128.and(inRow, v128.and(i32x4.ge_s(columnLanes, columnStarts), i32x4.lt_s(columnLanes, columnEnds)));
        const value = v128.load(cell);
        const better = v128.and(inRegion, v128.or(f32x4.gt(value, best), f32x4.ne(value, value)));
        const first = v128.and(inRegion, i32x4.lt_s(bestIndex, i32x4.splat(0)));
        best = v128.bitselect(value, best, better);
        bestIndex = v128.bitselect(i32x4.splat(rowIndex + column), bestIndex, v128.or(better, first));
      }
    }
  }
  v128.store(pointer(block, OUTPUT) + at, best);
  v128.store(pointer(block, ARGMAX) + at, bestIndex);
}

/**
 * Channels-last: a unit is one output row (sample, depth, height) over every channel, channels
 * innermost, four at a time (regionMaxLanes); the tables are laid out [sample, index, channel].
 */
export function fractionalMaxRows(block: usize, first: i32, end: i32): void {
  readSizes(block);
  const cellStride = <usize>channels;
  for (let unit = first; unit < end; unit++) {
    const height = unit % outHeight;
    const depth = (unit / outHeight) % outDepth;
    const sample = unit / (outHeight * outDepth);
    const inBase = <usize>sample * inSpatial * cellStride;
    const depthSlot = (sample * outDepth + depth) * channels;
    const heightSlot = (sample * outHeight + height) * channels;
    let at = (<usize>unit * <usize>outWidth * cellStride) << 2;
    for (let width = 0; width < outWidth; width++) {
      const widthSlot = (sample * outWidth + width) * channels;
      let channel = 0;
      for (; channel + 4 <= channels; channel += 4, at += 16) {
        regionMaxLanes(block, depthSlot + channel, heightSlot + channel, widthSlot + channel, inBase + <usize>channel, at);
      }
      for (; channel < channels; channel++, at += 4) {
        regionMax(block, depthSlot + channel, heightSlot + channel, widthSlot + channel, inBase + <usize>channel, cellStride, at);
      }
    }
  }
}
