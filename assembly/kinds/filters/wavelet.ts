// Wavelet pooling (two-level Haar, level 1's details dropped, level 2 rebuilt), forward and backward,
// bit for bit with the reference (src/kernels/reference/extra/wavelet-pool.ts): its very steps and
// f64 formulas, per lane, on a sample's cells [cells, channels padded to even] (f64x2 over the lanes
// after the axis). channelsFirst planes arrive as samples of one channel.
import { currentThreadSlot } from '../../shared/thread-slot';
import { CHANNELS, IN_SIZE, OUT_SIZE, SCRATCH, SCRATCH_SLOT_BYTES, SOURCE, TARGET, pointer, word } from './arguments';

/** 1: the backward (source gradOutput [OUT_SIZE], target gradInput [IN_SIZE]). */
const BACKWARD = 8;
/** The spatial axes the rank has: the last RANK of depth, height, width. */
const RANK = 9;

const ROOT_HALF = f64x2.splat(Math.SQRT1_2);
/** How odd lengths are handled: analysis repeats the last cell or pairs it with 0; synthesis crops or folds. */
const REPEAT = 0;
const ZERO = 1;
const CROP = 0;
const FOLD = 1;

// The current sizes of the sample's buffers (per instance globals, so per thread).
let sizeDepth: i32 = 0;
let sizeHeight: i32 = 0;
let sizeWidth: i32 = 0;
let lanes: i32 = 0;

@inline function sizeAt(axis: i32): i32 {
  return axis == 0 ? sizeDepth : axis == 1 ? sizeHeight : sizeWidth;
}
@inline function setSize(axis: i32, size: i32): void {
  if (axis == 0) sizeDepth = size;
  else if (axis == 1) sizeHeight = size;
  else sizeWidth = size;
}
/** Lines along `axis`: how many, and the bytes between two cells of a line (the lanes after the axis). */
@inline function outerOf(axis: i32): i32 {
  return axis == 0 ? 1 : axis == 1 ? sizeDepth : sizeDepth * sizeHeight;
}
@inline function innerBytes(axis: i32): usize {
  return <usize>((axis == 2 ? 1 : axis == 1 ? sizeWidth : sizeHeight * sizeWidth) * lanes) << 3;
}

/** Haar analysis along `axis` into low (and high, when not 0), ⌈n/2⌉ cells; the sizes then hold ⌈n/2⌉ there. */
function analyze(source: usize, axis: i32, low: usize, high: usize, odd: i32): void {
  const length = sizeAt(axis);
  const half = (length + 1) >> 1;
  const inner = innerBytes(axis);
  const outer = outerOf(axis);
  for (let line = 0; line < outer; line++)
    for (let index = 0; index < half; index++) {
      const first = source + (<usize>line * <usize>length + <usize>(2 * index)) * inner;
      const target = (<usize>line * <usize>half + <usize>index) * inner;
      const paired = 2 * index + 1 < length;
      for (let lane: usize = 0; lane < inner; lane += 16) {
        const a = v128.load(first + lane);
        const b = paired ? v128.load(first + inner + lane) : odd == REPEAT ? a : f64x2.splat(0);
        v128.store(low + target + lane, f64x2.mul(f64x2.add(a, b), ROOT_HALF));
        if (high) v128.store(high + target + lane, f64x2.mul(f64x2.sub(a, b), ROOT_HALF));
      }
    }
  setSize(axis, half);
}

/** Haar synthesis along `axis` from low and high (0: zeros), of the current sizes, into `target` of `length` cells there. */
function synthesize(low: usize, high: usize, axis: i32, target: usize, length: i32, odd: i32): void {
  const half = sizeAt(axis);
  const inner = innerBytes(axis);
  const outer = outerOf(axis);
  const zero = f64x2.splat(0);
  for (let line = 0; line < outer; line++)
    for (let index = 0; index < half; index++) {
      const source = (<usize>line * <usize>half + <usize>index) * inner;
      const first = target + (<usize>line * <usize>length + <usize>(2 * index)) * inner;
      const paired = 2 * index + 1 < length;
      for (let lane: usize = 0; lane < inner; lane += 16) {
        const l = v128.load(low + source + lane);
        const h = high ? v128.load(high + source + lane) : zero;
        const even = f64x2.mul(f64x2.add(l, h), ROOT_HALF);
        const second = f64x2.mul(f64x2.sub(l, h), ROOT_HALF);
        if (paired) {
          v128.store(first + lane, even);
          v128.store(first + inner + lane, second);
        } else v128.store(first + lane, odd == FOLD ? f64x2.add(even, second) : even);
      }
    }
  setSize(axis, length);
}

@inline function cellBytes(): usize {
  return <usize>(sizeDepth * sizeHeight * sizeWidth * lanes) << 3;
}

/** The forward's steps on `plane` (IN_SIZE cells): level 1's approximation, then level 2 taken apart and rebuilt. */
function forward(block: usize, plane: usize, low: usize, high: usize): void {
  const rank = word(block, RANK);
  for (let axis = 3 - rank; axis < 3; axis++) {
    analyze(plane, axis, low, 0, REPEAT);
    memory.copy(plane, low, cellBytes());
  }
  for (let axis = 3 - rank; axis < 3; axis++) {
    const length = sizeAt(axis);
    analyze(plane, axis, low, high, REPEAT);
    synthesize(low, high, axis, plane, length, CROP);
  }
}

/** The backward's steps on `plane` (OUT_SIZE cells, room for IN_SIZE): every step transposed, in reverse. */
function backward(block: usize, plane: usize, low: usize, high: usize): void {
  const rank = word(block, RANK);
  for (let axis = 2; axis >= 3 - rank; axis--) {
    const length = sizeAt(axis);
    analyze(plane, axis, low, high, ZERO);
    synthesize(low, high, axis, plane, length, FOLD);
  }
  for (let axis = 2; axis >= 3 - rank; axis--) {
    memory.copy(low, plane, cellBytes());
    setSize(axis, (word(block, IN_SIZE + axis) + 1) >> 1);
    synthesize(low, 0, axis, plane, word(block, IN_SIZE + axis), FOLD);
  }
}

/** Samples [firstUnit, endUnit) forward or backward (word BACKWARD). */
export function waveletSamples(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const isBackward = word(block, BACKWARD) != 0;
  const sourceField = isBackward ? OUT_SIZE : IN_SIZE;
  const targetField = isBackward ? IN_SIZE : OUT_SIZE;
  lanes = (channels + 1) & ~1;
  const slotBytes = <usize>word(block, SCRATCH_SLOT_BYTES);
  const plane = pointer(block, SCRATCH) + <usize>currentThreadSlot() * slotBytes;
  const low = plane + slotBytes / 3;
  const high = low + slotBytes / 3;
  const sourceCells = word(block, sourceField) * word(block, sourceField + 1) * word(block, sourceField + 2);
  const targetCells = word(block, targetField) * word(block, targetField + 1) * word(block, targetField + 2);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const source = pointer(block, SOURCE) + ((<usize>sample * <usize>sourceCells * <usize>channels) << 2);
    for (let cell = 0; cell < sourceCells; cell++)
      for (let lane = 0; lane < lanes; lane++) {
        const value: f64 = lane < channels ? <f64>load<f32>(source + ((<usize>cell * <usize>channels + <usize>lane) << 2)) : 0;
        store<f64>(plane + ((<usize>cell * <usize>lanes + <usize>lane) << 3), value);
      }
    sizeDepth = word(block, sourceField);
    sizeHeight = word(block, sourceField + 1);
    sizeWidth = word(block, sourceField + 2);
    if (isBackward) backward(block, plane, low, high);
    else forward(block, plane, low, high);
    const target = pointer(block, TARGET) + ((<usize>sample * <usize>targetCells * <usize>channels) << 2);
    for (let cell = 0; cell < targetCells; cell++)
      for (let channel = 0; channel < channels; channel++) {
        const value = load<f64>(plane + ((<usize>cell * <usize>lanes + <usize>channel) << 3));
        store<f32>(target + ((<usize>cell * <usize>channels + <usize>channel) << 2), <f32>value);
      }
  }
}
