// RoIAlign's backward (roiAlignBackward of src/kernels/reference/extra/roi-align.ts; the argument words,
// tables and forward: roi-align.ts): a unit is an image, its boxes in order, the average gathered per
// input cell from tables of the terms that reach it (in the reference's order), max scattered.
import { pointer, word } from '../../pool/arguments';
import {
  BOX_COUNT, CELLS, CHANNELS, CHANNELS_LAST, CONTRIBUTIONS, GRAD_INPUT, GRAD_OUTPUT, INSIDE, IN_SPATIAL, MAX, POSITIONS,
  READER_BOXES, TOUCHED, WEIGHTS, boxField, maximum, planeBase, winners,
} from './roi-align';

/** Adds one channel's max gradient of bin `cell` of `box` to its winning corner (none off the image). */
function scatterMax(block: usize, box: i32, cell: i32, channel: i32): void {
  const channels = word(block, CHANNELS);
  const cells = word(block, CELLS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const element = channelsLast ? (box * cells + cell) * channels + channel : (box * channels + channel) * cells + cell;
  const gradient = load<f32>(pointer(block, GRAD_OUTPUT) + (<usize>element << 2));
  const base = planeBase(block, box, channel);
  const step: usize = channelsLast ? <usize>channels : 1;
  const size = boxField(block, box, 1);
  maximum(block, boxField(block, box, 0) + cell * size, size, base, step, false);
  const corner = i32x4.extract_lane(winners, 0);
  if (corner < 0 || load<i32>(pointer(block, INSIDE) + (<usize>(corner >> 2) << 2)) != 1) return;
  const weight = load<f32>(pointer(block, WEIGHTS) + (<usize>corner << 2));
  addAt(block, base, step, corner, gradient * weight);
}

@inline
function addAt(block: usize, base: usize, step: usize, corner: i32, value: f32): void {
  const position = <usize>load<i32>(pointer(block, POSITIONS) + (<usize>corner << 2));
  const at = pointer(block, GRAD_INPUT) + ((base + position * step) << 2);
  store<f32>(at, load<f32>(at) + value);
}

@inline
function readerField(block: usize, box: i32, field: i32): i32 {
  return load<i32>(pointer(block, READER_BOXES) + ((<usize>box * 2 + <usize>field) << 2));
}

/**
 * The average's gradient of one box, gathered: per input cell it reaches, its terms (g·w)/count in the
 * reference's order added to the cell's running value once (0 when `fresh`: the image's first box,
 * reaching every cell, so no zero-fill before it), for channels [0, vectorEnd), four per vector (channels-last).
 */
@inline
function gatherLanes(block: usize, box: i32, vectorEnd: i32, fresh: bool, exact: bool): void {
  const channels = word(block, CHANNELS);
  const rowBytes = <usize>channels << 2;
  const gradients = pointer(block, GRAD_OUTPUT) + <usize>box * <usize>word(block, CELLS) * rowBytes;
  const base = pointer(block, GRAD_INPUT) + (planeBase(block, box, 0) << 2);
  const contributions = pointer(block, CONTRIBUTIONS);
  const divisor = boxField(block, box, 2);
  const count = f32x4.splat(<f32>divisor);
  const reciprocal = f32x4.splat(<f32>1 / <f32>divisor);
  const vectorBytes = <usize>vectorEnd << 2;
  const entries = pointer(block, TOUCHED) + ((<usize>readerField(block, box, 0) * 3) << 2);
  for (let entry: usize = 0; entry < <usize>readerField(block, box, 1); entry++) {
    const at = base + <usize>load<i32>(entries + entry * 12) * rowBytes;
    const start = <usize>load<i32>(entries + entry * 12, 4);
    const end = <usize>load<i32>(entries + entry * 12, 8);
    let offset: usize = 0;
    for (; offset + 32 <= vectorBytes; offset += 32) {
      let first = fresh ? f32x4.splat(0) : v128.load(at + offset);
      let second = fresh ? f32x4.splat(0) : v128.load(at + offset, 16);
      for (let term = start; term < end; term++) {
        const row = gradients + <usize>load<i32>(contributions + (term << 3)) * rowBytes + offset;
        const weight = f32x4.splat(load<f32>(contributions + (term << 3), 4));
        const a = f32x4.mul(v128.load(row), weight);
        const b = f32x4.mul(v128.load(row, 16), weight);
        first = f32x4.add(first, exact ? f32x4.mul(a, reciprocal) : f32x4.div(a, count));
        second = f32x4.add(second, exact ? f32x4.mul(b, reciprocal) : f32x4.div(b, count));
      }
      v128.store(at + offset, first);
      v128.store(at + offset, second, 16);
    }
    if (offset < vectorBytes) {
      let sum = fresh ? f32x4.splat(0) : v128.load(at + offset);
      for (let term = start; term < end; term++) {
        const row = gradients + <usize>load<i32>(contributions + (term << 3)) * rowBytes + offset;
        const a = f32x4.mul(v128.load(row), f32x4.splat(load<f32>(contributions + (term << 3), 4)));
        sum = f32x4.add(sum, exact ? f32x4.mul(a, reciprocal) : f32x4.div(a, count));
      }
      v128.store(at + offset, sum);
    }
  }
}

/** gatherLanes for one channel (either layout), one lane at a time. */
function gatherChannel(block: usize, box: i32, channel: i32, fresh: bool): void {
  const channels = word(block, CHANNELS);
  const cells = word(block, CELLS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const step: usize = channelsLast ? <usize>channels : 1;
  const first = channelsLast ? box * cells * channels + channel : (box * channels + channel) * cells;
  const gradients = pointer(block, GRAD_OUTPUT) + (<usize>first << 2);
  const base = pointer(block, GRAD_INPUT) + (planeBase(block, box, channel) << 2);
  const contributions = pointer(block, CONTRIBUTIONS);
  const count = <f32>boxField(block, box, 2);
  const entries = pointer(block, TOUCHED) + ((<usize>readerField(block, box, 0) * 3) << 2);
  for (let entry: usize = 0; entry < <usize>readerField(block, box, 1); entry++) {
    const at = base + ((<usize>load<i32>(entries + entry * 12) * step) << 2);
    let sum: f32 = fresh ? 0 : load<f32>(at);
    for (let term = <usize>load<i32>(entries + entry * 12, 4); term < <usize>load<i32>(entries + entry * 12, 8); term++) {
      const gradient = load<f32>(gradients + ((<usize>load<i32>(contributions + (term << 3)) * step) << 2));
      sum += (gradient * load<f32>(contributions + (term << 3), 4)) / count;
    }
    store<f32>(at, sum);
  }
}

/** The average's gradient of one box, gathered (gatherLanes, then the channels left one at a time). */
function gatherBox(block: usize, box: i32, fresh: bool): void {
  const channels = word(block, CHANNELS);
  let channel = 0;
  if (word(block, CHANNELS_LAST) != 0) {
    channel = channels & ~3;
    const divisor = boxField(block, box, 2);
    // x/2^k = x·2^−k exactly (one rounding of the same quotient), and a product is cheaper than a quotient
    if ((divisor & (divisor - 1)) == 0) gatherLanes(block, box, channel, fresh, true);
    else gatherLanes(block, box, channel, fresh, false);
  }
  for (; channel < channels; channel++) gatherChannel(block, box, channel, fresh);
}

/**
 * Per image (its gradient written whole: no zero-fill before), its boxes in order: the average
 * gathered per input cell (gatherBox), the first box from 0 when it reaches every cell, else after
 * zeroing the image; max scattered to the winning corners (scatterMax) after zeroing it.
 */
export function roiAlignBackwardImages(block: usize, first: i32, end: i32): void {
  const channels = word(block, CHANNELS);
  const cells = word(block, CELLS);
  const inSpatial = word(block, IN_SPATIAL);
  const average = word(block, MAX) == 0;
  for (let image = first; image < end; image++) {
    let fresh = false;
    for (let box = 0; box < word(block, BOX_COUNT); box++) {
      if (boxField(block, box, 3) != image) continue;
      fresh = average && readerField(block, box, 1) == inSpatial;
      break;
    }
    if (!fresh) {
      const slab = <usize>image * <usize>inSpatial * <usize>channels;
      memory.fill(pointer(block, GRAD_INPUT) + (slab << 2), 0, (<usize>inSpatial * <usize>channels) << 2);
    }
    for (let box = 0; box < word(block, BOX_COUNT); box++) {
      if (boxField(block, box, 3) != image) continue;
      if (average) gatherBox(block, box, fresh);
      else for (let cell = 0; cell < cells; cell++) for (let channel = 0; channel < channels; channel++) scatterMax(block, box, cell, channel);
      fresh = false;
    }
  }
}
