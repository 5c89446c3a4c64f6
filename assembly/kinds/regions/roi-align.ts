// RoIAlign (roiAlignForward / roiAlignBackward of src/kernels/reference/extra/roi-align.ts): every
// bin's bilinear samples (four positions and weights each) come tabulated from the TypeScript side
// (float32 box arithmetic there); here the channels, in float32 with the reference's order of
// operations, so bit for bit. Forward: a unit is a box (here); backward: an image (roi-align-backward.ts).
import { pointer, word } from '../../pool/arguments';

// Argument words (src/kernels/wasm/kinds/regions-roi-align.ts writes them).
export const CHANNELS = 0;
export const CHANNELS_LAST = 1;
export const IN_SPATIAL = 2;
export const CELLS = 3;
/** 1: max (ONNX Runtime's), 0: average. */
export const MAX = 4;
export const BOX_COUNT = 5;
const INPUT = 6;
const OUTPUT = 7;
export const GRAD_OUTPUT = 8;
export const GRAD_INPUT = 9;
/** [box, 4]: first sample, samples per bin, the average's divisor, image. */
const BOXES = 10;
/** [sample, 4] plane positions; [sample, 4] float32 weights; [sample] 1 when on the image. */
export const POSITIONS = 11;
export const WEIGHTS = 12;
export const INSIDE = 13;
/** [box, 2] (backward): its first entry in TOUCHED, how many (the cells its samples reach). */
export const READER_BOXES = 14;
/** [entry, 3]: an input cell's plane position, its first contribution and the end of them. */
export const TOUCHED = 15;
/** [contribution, 2]: the bin, the corner's float32 weight; per cell in the reference's (bin, corner) order. */
export const CONTRIBUTIONS = 16;

@inline
export function boxField(block: usize, box: i32, field: i32): i32 {
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
export let winners: v128 = i32x4.splat(-1);

/** ONNX Runtime's max (std::max: a < b ? b : a) over the samples' largest terms; 0 with none. */
@inline
export function maximum(block: usize, first: i32, size: i32, base: usize, step: usize, whole: bool): v128 {
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
export function planeBase(block: usize, box: i32, channel: i32): usize {
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
