// RoI max pooling (roiPoolForward / roiPoolBackward of src/kernels/reference/extra/roi-pool.ts):
// the bins' extents come computed from the TypeScript side (float32 box arithmetic there); a
// forward unit is one box (channels-last: four channels per vector), a backward unit one image,
// whose boxes scatter in box order, so every cell receives its gradients in the reference's order.
import { pointer, word } from '../../pool/arguments';

// Argument words (src/kernels/wasm/kinds/regions-roi.ts writes them).
const CHANNELS = 0;
const CHANNELS_LAST = 1;
const IN_HEIGHT = 2;
const IN_WIDTH = 3;
const OUT_HEIGHT = 4;
const OUT_WIDTH = 5;
/** 1: ONNX Runtime's rule (a cell replaces the max unless smaller); 0: torchvision's (when greater). */
const ONNX_RULE = 6;
const BOX_COUNT = 7;
const INPUT = 8;
/** The output (forward), or the output gradient (backward). */
const OUTPUT = 9;
/** 0 when no argmax is wanted (forward); the gradient's source in the backward. */
const ARGMAX = 10;
const GRAD_INPUT = 11;
/** [box, out cell, 4]: row start, row end, column start, column end, clipped to the image. */
const BINS = 12;
const BATCH_INDICES = 13;

const FLOAT_MAX: f32 = 3.4028234663852886e38;

@inline
function bin(block: usize, box: i32, cell: i32, field: i32): i32 {
  const cells = word(block, OUT_HEIGHT) * word(block, OUT_WIDTH);
  return load<i32>(pointer(block, BINS) + ((<usize>(box * cells + cell) * 4 + <usize>field) << 2));
}

/** Four channels of one bin (channels-last): the value and argmax lanes written at `at`. */
@inline
function binLanes(block: usize, box: i32, cell: i32, imageBase: usize, channel: i32, at: usize): void {
  const channels = word(block, CHANNELS);
  const inWidth = word(block, IN_WIDTH);
  const onnx = word(block, ONNX_RULE) != 0;
  const rowStart = bin(block, box, cell, 0);
  const rowEnd = bin(block, box, cell, 1);
  const columnStart = bin(block, box, cell, 2);
  const columnEnd = bin(block, box, cell, 3);
  const empty = rowEnd <= rowStart || columnEnd <= columnStart;
  let best = f32x4.splat(empty ? 0 : -FLOAT_MAX);
  let bestIndex = i32x4.splat(-1);
  for (let row = rowStart; row < rowEnd; row++) {
    for (let column = columnStart; column < columnEnd; column++) {
      const spatial = row * inWidth + column;
      const value = v128.load(pointer(block, INPUT) + ((imageBase + <usize>spatial * <usize>channels + <usize>channel) << 2));
      const take = replaces(value, best, onnx);
      best = v128.bitselect(value, best, take);
      bestIndex = v128.bitselect(i32x4.splat(spatial), bestIndex, take);
    }
  }
  v128.store(pointer(block, OUTPUT) + at, best);
  if (pointer(block, ARGMAX) != 0) v128.store(pointer(block, ARGMAX) + at, bestIndex);
}

/** Whether a cell's value replaces the best so far: ONNX Runtime's rule or torchvision's (binLanes). */
@inline
function replaces(value: v128, best: v128, onnx: bool): v128 {
  return onnx ? v128.not(f32x4.lt(value, best)) : f32x4.gt(value, best);
}

/**
 * Sixteen channels of one bin (channels-last), as four binLanes in four independent chains (so a
 * bin is not bound by one chain's latency), the bin's extent read once: the same values and indices.
 */
@inline
function binLanes16(block: usize, box: i32, cell: i32, imageBase: usize, channel: i32, at: usize): void {
  const channels = word(block, CHANNELS);
  const inWidth = word(block, IN_WIDTH);
  const onnx = word(block, ONNX_RULE) != 0;
  const rowStart = bin(block, box, cell, 0);
  const rowEnd = bin(block, box, cell, 1);
  const columnStart = bin(block, box, cell, 2);
  const columnEnd = bin(block, box, cell, 3);
  const empty = rowEnd <= rowStart || columnEnd <= columnStart;
  let best0 = f32x4.splat(empty ? 0 : -FLOAT_MAX);
  let best1 = best0;
  let best2 = best0;
  let best3 = best0;
  let index0 = i32x4.splat(-1);
  let index1 = index0;
  let index2 = index0;
  let index3 = index0;
  const cells = pointer(block, INPUT) + ((imageBase + <usize>channel) << 2);
  const cellBytes = <usize>channels << 2;
  for (let row = rowStart; row < rowEnd; row++) {
    let spatial = row * inWidth + columnStart;
    let tap = cells + <usize>spatial * cellBytes;
    for (let column = columnStart; column < columnEnd; column++, spatial++, tap += cellBytes) {
      const where = i32x4.splat(spatial);
      const value0 = v128.load(tap);
      const value1 = v128.load(tap, 16);
      const value2 = v128.load(tap, 32);
      const value3 = v128.load(tap, 48);
      const take0 = replaces(value0, best0, onnx);
      const take1 = replaces(value1, best1, onnx);
      const take2 = replaces(value2, best2, onnx);
      const take3 = replaces(value3, best3, onnx);
      best0 = v128.bitselect(value0, best0, take0);
      best1 = v128.bitselect(value1, best1, take1);
      best2 = v128.bitselect(value2, best2, take2);
      best3 = v128.bitselect(value3, best3, take3);
      index0 = v128.bitselect(where, index0, take0);
      index1 = v128.bitselect(where, index1, take1);
      index2 = v128.bitselect(where, index2, take2);
      index3 = v128.bitselect(where, index3, take3);
    }
  }
  const output = pointer(block, OUTPUT) + at;
  v128.store(output, best0);
  v128.store(output, best1, 16);
  v128.store(output, best2, 32);
  v128.store(output, best3, 48);
  const argmax = pointer(block, ARGMAX);
  if (argmax == 0) return;
  v128.store(argmax + at, index0);
  v128.store(argmax + at, index1, 16);
  v128.store(argmax + at, index2, 32);
  v128.store(argmax + at, index3, 48);
}

/** One channel of one bin; `step` is the input's spatial stride in elements. */
@inline
function binScalar(block: usize, box: i32, cell: i32, base: usize, step: usize, at: usize): void {
  const inWidth = word(block, IN_WIDTH);
  const onnx = word(block, ONNX_RULE) != 0;
  const rowStart = bin(block, box, cell, 0);
  const rowEnd = bin(block, box, cell, 1);
  const columnStart = bin(block, box, cell, 2);
  const columnEnd = bin(block, box, cell, 3);
  let best: f32 = rowEnd <= rowStart || columnEnd <= columnStart ? 0 : -FLOAT_MAX;
  let bestIndex = -1;
  for (let row = rowStart; row < rowEnd; row++) {
    for (let column = columnStart; column < columnEnd; column++) {
      const spatial = row * inWidth + column;
      const value = load<f32>(pointer(block, INPUT) + ((base + <usize>spatial * step) << 2));
      if (onnx ? !(value < best) : value > best) {
        best = value;
        bestIndex = spatial;
      }
    }
  }
  store<f32>(pointer(block, OUTPUT) + at, best);
  if (pointer(block, ARGMAX) != 0) store<i32>(pointer(block, ARGMAX) + at, bestIndex);
}

export function roiPoolBoxes(block: usize, first: i32, end: i32): void {
  const channels = word(block, CHANNELS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const inSpatial = <usize>word(block, IN_HEIGHT) * <usize>word(block, IN_WIDTH);
  const cells = word(block, OUT_HEIGHT) * word(block, OUT_WIDTH);
  for (let box = first; box < end; box++) {
    const image = <usize>load<i32>(pointer(block, BATCH_INDICES) + (<usize>box << 2));
    const imageBase = image * inSpatial * <usize>channels;
    const boxBase = <usize>box * <usize>cells * <usize>channels;
    for (let cell = 0; cell < cells; cell++) {
      if (channelsLast) {
        let channel = 0;
        const cellBase = boxBase + <usize>cell * <usize>channels;
        for (; channel + 16 <= channels; channel += 16) binLanes16(block, box, cell, imageBase, channel, (cellBase + <usize>channel) << 2);
        for (; channel + 4 <= channels; channel += 4) binLanes(block, box, cell, imageBase, channel, (cellBase + <usize>channel) << 2);
        for (; channel < channels; channel++) binScalar(block, box, cell, imageBase + <usize>channel, <usize>channels, (cellBase + <usize>channel) << 2);
        continue;
      }
      for (let channel = 0; channel < channels; channel++) {
        const base = imageBase + <usize>channel * inSpatial;
        binScalar(block, box, cell, base, 1, (boxBase + <usize>channel * <usize>cells + <usize>cell) << 2);
      }
    }
  }
}

/** Adds the gradient of output element `at` (a byte offset) to input element `target`. */
@inline
function addGradient(block: usize, at: usize, target: usize): void {
  const gradInput = pointer(block, GRAD_INPUT) + (target << 2);
  store<f32>(gradInput, load<f32>(gradInput) + load<f32>(pointer(block, OUTPUT) + at));
}

/**
 * Image `image`'s boxes in box order, each output element in the reference's (memory) order:
 * cells then channels (channels-last) or channels then cells, with no division per element.
 */
export function roiPoolBackwardImages(block: usize, first: i32, end: i32): void {
  const channels = <usize>word(block, CHANNELS);
  const channelsLast = word(block, CHANNELS_LAST) != 0;
  const inSpatial = <usize>word(block, IN_HEIGHT) * <usize>word(block, IN_WIDTH);
  const cells = <usize>(word(block, OUT_HEIGHT) * word(block, OUT_WIDTH));
  const boxCount = word(block, BOX_COUNT);
  const argmax = pointer(block, ARGMAX);
  const outerCount = channelsLast ? cells : channels;
  const innerCount = channelsLast ? channels : cells;
  for (let image = first; image < end; image++) {
    const imageBase = <usize>image * inSpatial * channels;
    for (let box = 0; box < boxCount; box++) {
      if (load<i32>(pointer(block, BATCH_INDICES) + (<usize>box << 2)) != image) continue;
      let at = (<usize>box * cells * channels) << 2;
      for (let outer: usize = 0; outer < outerCount; outer++) {
        for (let inner: usize = 0; inner < innerCount; inner++, at += 4) {
          const spatial = load<i32>(argmax + at);
          if (spatial < 0) continue;
          // channels-last: outer is the cell, inner the channel; channels-first: the other way round
          const target = channelsLast ? imageBase + <usize>spatial * channels + inner : imageBase + outer * inSpatial + <usize>spatial;
          addGradient(block, at, target);
        }
      }
    }
  }
}
