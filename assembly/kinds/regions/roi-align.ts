// RoIAlign (roiAlignForward / roiAlignBackward of src/kernels/reference/extra/roi-align.ts): every
// bin's bilinear samples (four positions and weights each) come tabulated from the TypeScript side
// (float32 box arithmetic there); here the channels, in float32 with the reference's order of
// operations, so bit for bit. Forward: a unit is a box; backward: an image, its boxes in order, the
// average gathered per input cell from tables of the terms that reach it (in the reference's order).
import { pointer, word } from '../../pool/arguments';

// Argument words (src/kernels/wasm/kinds/regions-roi-align.ts writes them).
const CHANNELS = 0;
const CHANNELS_LAST = 1;
const IN_SPATIAL = 2;
const CELLS = 3;
/** 1: max (ONNX Runtime's), 0: average. */
const MAX = 4;
const BOX_COUNT = 5;
const INPUT = 6;
const OUTPUT = 7;
const GRAD_OUTPUT = 8;
const GRAD_INPUT = 9;
/** [box, 4]: first sample, samples per bin, the average's divisor, image. */
const BOXES = 10;
/** [sample, 4] plane positions; [sample, 4] float32 weights; [sample] 1 when on the image. */
const POSITIONS = 11;
const WEIGHTS = 12;
const INSIDE = 13;
/** [box, 2] (backward): its first entry in TOUCHED, how many (the cells its samples reach). */
const READER_BOXES = 14;
/** [entry, 3]: an input cell's plane position, its first contribution and the end of them. */
const TOUCHED = 15;
/** [contribution, 2]: the bin, the corner's float32 weight; per cell in the reference's (bin, corner) order. */
const CONTRIBUTIONS = 16;

@inline
function boxField(block: usize, box: i32, field: i32): i32 {
  return load<i32>(pointer(block, BOXES) + ((<usize>box * 4 + <usize>field) << 2));
}

/** w·x of corner `corner` for four channels (channels-last lanes) or one (lane 0). */
@inline
function term(block: usize, corner: i32, base: usize, step: usize, whole: bool): v128 {
  const position = <usize>load<i32>(pointer(block, POSITIONS) + (<usize>corner << 2));
  const weight = f32x4.splat(load<f32>(pointer(block, WEIGHTS) + (<usize>corner << 2)));
  const at = pointer(block, INPUT) + ((base + position * step) << 2);
  return f32x4.mul(weight, whole ? v128.load(at) : f32x4.splat(load<f32>(at)));
}

/** The mean of a bin's samples: Σ per sample (w1·x1 + w2·x2 + w3·x3 + w4·x4), / count. */
@inline
function average(block: usize, first: i32, size: i32, count: i32, base: usize, step: usize, whole: bool): v128 {
  let total = f32x4.splat(0);
  for (let sample = first; sample < first + size; sample++) {
    let sum = term(block, sample * 4, base, step, whole);
    for (let corner = sample * 4 + 1; corner < sample * 4 + 4; corner++) sum = f32x4.add(sum, term(block, corner, base, step, whole));
    total = f32x4.add(total, sum);
  }
  return f32x4.div(total, f32x4.splat(<f32>count));
}

/** Globals (per thread): the winning corner lanes of the last maximum. */
let winners: v128 = i32x4.splat(-1);

/** ONNX Runtime's max (std::max: a < b ? b : a) over the samples' largest terms; 0 with none. */
@inline
function maximum(block: usize, first: i32, size: i32, base: usize, step: usize, whole: bool): v128 {
  let best = f32x4.splat(0);
  let bestCorner = i32x4.splat(-1);
  for (let sample = first; sample < first + size; sample++) {
    let value = term(block, sample * 4, base, step, whole);
    let valueCorner = i32x4.splat(sample * 4);
    for (let corner = sample * 4 + 1; corner < sample * 4 + 4; corner++) {
      const candidate = term(block, corner, base, step, whole);
      const take = f32x4.lt(value, candidate);
      value = v128.bitselect(candidate, value, take);
      valueCorner = v128.bitselect(i32x4.splat(corner), valueCorner, take);
    }
    const take = v128.or(i32x4.lt_s(bestCorner, i32x4.splat(0)), f32x4.lt(best, value));
    best = v128.bitselect(value, best, take);
    bestCorner = v128.bitselect(valueCorner, bestCorner, take);
  }
  winners = bestCorner;
  return best;
}

@inline
function reduce(block: usize, box: i32, base: usize, step: usize, cell: i32, whole: bool): v128 {
  const size = boxField(block, box, 1);
  const first = boxField(block, box, 0) + cell * size;
  if (word(block, MAX) != 0) return maximum(block, first, size, base, step, whole);
  return average(block, first, size, boxField(block, box, 2), base, step, whole);
}

/** Where channel `channel` of the box's image starts, and its spatial step, in elements. */
@inline
function planeBase(block: usize, box: i32, channel: i32): usize {
  const image = <usize>boxField(block, box, 3);
  const channels = <usize>word(block, CHANNELS);
  const inSpatial = <usize>word(block, IN_SPATIAL);
  return word(block, CHANNELS_LAST) != 0 ? image * inSpatial * channels + <usize>channel : (image * channels + <usize>channel) * inSpatial;
}

export function roiAlignBoxes(block: usize, first: i32, end: i32): void {
  const channels = word(block, CHANNELS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const cells = word(block, CELLS);
  const step: usize = channelsLast ? <usize>channels : 1;
  const average = word(block, MAX) == 0;
  for (let box = first; box < end; box++) {
    for (let cell = 0; cell < cells; cell++) {
      let channel = 0;
      if (channelsLast && average) {
        channel = channels & ~3;
        averageCellLanes(block, box, cell, channel);
      } else if (channelsLast) {
        for (; channel + 4 <= channels; channel += 4) {
          const at = (<usize>(box * cells + cell) * <usize>channels + <usize>channel) << 2;
          v128.store(pointer(block, OUTPUT) + at, reduce(block, box, planeBase(block, box, channel), step, cell, true));
        }
      }
      for (; channel < channels; channel++) {
        const element = channelsLast ? (box * cells + cell) * channels + channel : (box * channels + channel) * cells + cell;
        const value = reduce(block, box, planeBase(block, box, channel), step, cell, false);
        store<f32>(pointer(block, OUTPUT) + (<usize>element << 2), f32x4.extract_lane(value, 0));
      }
    }
  }
}

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

/**
 * The average of a cell's channels [0, vectorEnd), four per vector (channels-last), each sample's
 * table entries read once for all of them; the running totals sit in the output: per channel
 * average's terms in average's order (0 + the first sample's sum included), so bit for bit.
 */
function averageCellLanes(block: usize, box: i32, cell: i32, vectorEnd: i32): void {
  const channels = word(block, CHANNELS);
  const totals = pointer(block, OUTPUT) + (<usize>((box * word(block, CELLS) + cell) * channels) << 2);
  const input = pointer(block, INPUT) + (planeBase(block, box, 0) << 2);
  const size = boxField(block, box, 1);
  const first = boxField(block, box, 0) + cell * size;
  const vectorBytes = <usize>vectorEnd << 2;
  for (let offset: usize = 0; offset < vectorBytes; offset += 16) v128.store(totals + offset, f32x4.splat(0));
  for (let sample = first; sample < first + size; sample++) {
    const corner = pointer(block, POSITIONS) + (<usize>sample << 4);
    const weights = pointer(block, WEIGHTS) + (<usize>sample << 4);
    const at0 = input + ((<usize>load<i32>(corner) * <usize>channels) << 2);
    const at1 = input + ((<usize>load<i32>(corner, 4) * <usize>channels) << 2);
    const at2 = input + ((<usize>load<i32>(corner, 8) * <usize>channels) << 2);
    const at3 = input + ((<usize>load<i32>(corner, 12) * <usize>channels) << 2);
    const w0 = f32x4.splat(load<f32>(weights));
    const w1 = f32x4.splat(load<f32>(weights, 4));
    const w2 = f32x4.splat(load<f32>(weights, 8));
    const w3 = f32x4.splat(load<f32>(weights, 12));
    for (let offset: usize = 0; offset < vectorBytes; offset += 16) {
      let sum = f32x4.mul(w0, v128.load(at0 + offset));
      sum = f32x4.add(sum, f32x4.mul(w1, v128.load(at1 + offset)));
      sum = f32x4.add(sum, f32x4.mul(w2, v128.load(at2 + offset)));
      sum = f32x4.add(sum, f32x4.mul(w3, v128.load(at3 + offset)));
      v128.store(totals + offset, f32x4.add(v128.load(totals + offset), sum));
    }
  }
  const divisor = boxField(block, box, 2);
  const count = f32x4.splat(<f32>divisor);
  if ((divisor & (divisor - 1)) == 0) {
    // x/2^k = x·2^−k exactly, as in gatherBox
    const reciprocal = f32x4.splat(<f32>1 / <f32>divisor);
    for (let offset: usize = 0; offset < vectorBytes; offset += 16) v128.store(totals + offset, f32x4.mul(v128.load(totals + offset), reciprocal));
  } else for (let offset: usize = 0; offset < vectorBytes; offset += 16) v128.store(totals + offset, f32x4.div(v128.load(totals + offset), count));
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
