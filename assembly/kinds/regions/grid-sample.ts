// S3Pool's grid sampling (gridSampleForward of src/kernels/reference/extra/s3-pool.ts): the dense
// maxima and their argmax at the chosen rows of every axis, the same rows in every plane. A unit
// is an output row over all channels (channels-last: each cell is a vector copy of its channels)
// or a plane (channels-first).
import { pointer, word } from '../../pool/arguments';
import { takes } from '../../pool/max-lanes';

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
function kept(block: usize, axis: i32, index: i32): i32 {
  return load<i32>(pointer(block, ROWS + axis) + (<usize>index << 2));
}

/** Spatial index in the maxima of output cell (depth, height, width). */
@inline
function sourceCell(block: usize, depth: i32, height: i32, width: i32): usize {
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  return <usize>((kept(block, 0, depth) * inHeight + kept(block, 1, height)) * inWidth + kept(block, 2, width));
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
      const from = sampleBytes + sourceCell(block, depth, height, width) * cellBytes;
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
          const source = (from + sourceCell(block, depth, height, width)) << 2;
          store<i32>(pointer(block, OUTPUT) + at, load<i32>(pointer(block, MAXIMA) + source));
          store<i32>(pointer(block, ARGMAX) + at, load<i32>(pointer(block, MAXIMA_ARGMAX) + source));
        }
      }
    }
  }
}

// Sampled max pooling (sampledMaxPoolForward): the dense max pooling's windows at the kept rows only,
// straight from the input, so the dense maxima (4× the kept cells at stride 2) are never written.
// Words 3-5 are the input's sizes here, 6-8 the kept grid's; then these.
const INPUT = 9;
const SAMPLED_OUTPUT = 10;
const SAMPLED_ARGMAX = 11;
const KERNEL = 12;
const SAMPLED_ROWS = 15;

@inline
function keptRow(block: usize, axis: i32, index: i32): i32 {
  return load<i32>(pointer(block, SAMPLED_ROWS + axis) + (<usize>index << 2));
}

/** Spatial index in the input of the first tap of kept window (depth, height, width). */
@inline
function windowCorner(block: usize, depth: i32, height: i32, width: i32): i32 {
  const inHeight = word(block, IN_SIZE + 1);
  const inWidth = word(block, IN_SIZE + 2);
  return (keptRow(block, 0, depth) * inHeight + keptRow(block, 1, height)) * inWidth + keptRow(block, 2, width);
}

// The call's window, set per unit (globals are per instance, so per thread) and copied to locals.
let kernelDepth = 0;
let kernelHeight = 0;
let kernelWidth = 0;
let sliceCells = 0;
let rowCells = 0;

function beginWindows(block: usize): void {
  kernelDepth = word(block, KERNEL);
  kernelHeight = word(block, KERNEL + 1);
  kernelWidth = word(block, KERNEL + 2);
  rowCells = word(block, IN_SIZE + 2);
  sliceCells = word(block, IN_SIZE + 1) * rowCells;
}

/**
 * Channels [first, first + 4) of the window with first tap `corner` (spatial index) in the sample
 * at `sample`, into `output` and `argmax`: taps in window order, the reference's rule (greater or
 * NaN replaces); a 2x2 window (the seed's) unrolled.
 */
@inline
function windowLanes(sample: usize, cellBytes: usize, corner: i32, output: usize, argmax: usize): void {
  const depth = kernelDepth;
  const height = kernelHeight;
  const width = kernelWidth;
  const rowStep = rowCells;
  if (depth == 1 && height == 2 && width == 2) {
    const top = sample + <usize>corner * cellBytes;
    const bottom = top + <usize>rowStep * cellBytes;
    let best = v128.load(top);
    let index = i32x4.splat(corner);
    let value = v128.load(top + cellBytes);
    let take = takes(value, best);
    best = v128.bitselect(value, best, take);
    index = v128.bitselect(i32x4.splat(corner + 1), index, take);
    value = v128.load(bottom);
    take = takes(value, best);
    best = v128.bitselect(value, best, take);
    index = v128.bitselect(i32x4.splat(corner + rowStep), index, take);
    value = v128.load(bottom + cellBytes);
    take = takes(value, best);
    v128.store(output, v128.bitselect(value, best, take));
    v128.store(argmax, v128.bitselect(i32x4.splat(corner + rowStep + 1), index, take));
    return;
  }
  const sliceStep = sliceCells;
  let best = f32x4.splat(-Infinity);
  let index = i32x4.splat(corner);
  for (let kz = 0; kz < depth; kz++) {
    for (let ky = 0; ky < height; ky++) {
      const rowCell = corner + kz * sliceStep + ky * rowStep;
      for (let kx = 0; kx < width; kx++) {
        const value = v128.load(sample + <usize>(rowCell + kx) * cellBytes);
        const take = takes(value, best);
        best = v128.bitselect(value, best, take);
        index = v128.bitselect(i32x4.splat(rowCell + kx), index, take);
      }
    }
  }
  v128.store(output, best);
  v128.store(argmax, index);
}

/** One value of windowLanes (`step` bytes between cells: the cell's bytes, or 4 in a plane). */
@inline
function windowValue(sample: usize, step: usize, corner: i32, output: usize, argmax: usize): void {
  const depth = kernelDepth;
  const height = kernelHeight;
  const width = kernelWidth;
  const rowStep = rowCells;
  const sliceStep = sliceCells;
  let best: f32 = -Infinity;
  let index = corner;
  for (let kz = 0; kz < depth; kz++) {
    for (let ky = 0; ky < height; ky++) {
      const rowCell = corner + kz * sliceStep + ky * rowStep;
      for (let kx = 0; kx < width; kx++) {
        const value = load<f32>(sample + <usize>(rowCell + kx) * step);
        if (value > best || value != value) {
          best = value;
          index = rowCell + kx;
        }
      }
    }
  }
  store<f32>(output, best);
  store<i32>(argmax, index);
}

/** Channels-last: units are kept output rows over all channels. */
export function sampledMaxRows(block: usize, first: i32, end: i32): void {
  beginWindows(block);
  const channels = word(block, CHANNELS);
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const inSpatial = <usize>word(block, IN_SIZE) * <usize>word(block, IN_SIZE + 1) * <usize>word(block, IN_SIZE + 2);
  const cellBytes = <usize>channels << 2;
  const input = pointer(block, INPUT);
  const output = pointer(block, SAMPLED_OUTPUT);
  const argmax = pointer(block, SAMPLED_ARGMAX);
  for (let unit = first; unit < end; unit++) {
    const height = unit % outHeight;
    const depth = (unit / outHeight) % outDepth;
    const sample = input + <usize>(unit / (outHeight * outDepth)) * inSpatial * cellBytes;
    let at = <usize>unit * <usize>outWidth * cellBytes;
    for (let width = 0; width < outWidth; width++, at += cellBytes) {
      const corner = windowCorner(block, depth, height, width);
      let channel = 0;
      for (; channel + 4 <= channels; channel += 4) {
        const bytes = <usize>channel << 2;
        windowLanes(sample + bytes, cellBytes, corner, output + at + bytes, argmax + at + bytes);
      }
      for (; channel < channels; channel++) {
        const bytes = <usize>channel << 2;
        windowValue(sample + bytes, cellBytes, corner, output + at + bytes, argmax + at + bytes);
      }
    }
  }
}

/** Channels-first: units are planes. */
export function sampledMaxPlanes(block: usize, first: i32, end: i32): void {
  beginWindows(block);
  const outDepth = word(block, OUT_SIZE);
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const inSpatial = <usize>word(block, IN_SIZE) * <usize>word(block, IN_SIZE + 1) * <usize>word(block, IN_SIZE + 2);
  const output = pointer(block, SAMPLED_OUTPUT);
  const argmax = pointer(block, SAMPLED_ARGMAX);
  for (let plane = first; plane < end; plane++) {
    const sample = pointer(block, INPUT) + ((<usize>plane * inSpatial) << 2);
    let at = (<usize>plane * <usize>outDepth * <usize>outHeight * <usize>outWidth) << 2;
    for (let depth = 0; depth < outDepth; depth++) {
      for (let height = 0; height < outHeight; height++) {
        for (let width = 0; width < outWidth; width++, at += 4) {
          windowValue(sample, 4, windowCorner(block, depth, height, width), output + at, argmax + at);
        }
      }
    }
  }
}
