// S3Pool's forward in one pass (sampledMaxPoolForward of src/kernels/reference/extra/s3-pool.ts): the
// dense max pooling's windows at the kept rows only, straight from the input, so the dense maxima (4×
// the kept cells at stride 2) and their argmax are never written nor read back. Units as grid-sample.ts.
import { pointer, word } from '../../pool/arguments';
import { takes } from '../../pool/max-lanes';
import { keptCell } from './grid-sample';

// Argument words (src/kernels/wasm/kinds/regions-s3.ts writes them): 0-8 as grid-sample.ts's, the
// input's sizes at IN_SIZE and the kept grid's at OUT_SIZE; then these.
const CHANNELS = 1;
const IN_SIZE = 3;
const OUT_SIZE = 6;
const INPUT = 9;
const SAMPLED_OUTPUT = 10;
const SAMPLED_ARGMAX = 11;
const KERNEL = 12;
const SAMPLED_ROWS = 15;

/** Spatial index in the input of the first tap of kept window (depth, height, width). */
@inline
function windowCorner(block: usize, depth: i32, height: i32, width: i32): i32 {
  return keptCell(block, SAMPLED_ROWS, depth, height, width);
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
