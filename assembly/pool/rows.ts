// How a kernel's work units map to tensors. A forward unit is one output row: (outer, depth, row),
// where outer is a sample in NHWC (all its channels interleaved, so a group of C channels moves
// together with SIMD) or a (sample, channel) plane in NCHW (a group of one channel).
import { BATCH, CHANNELS, CHANNELS_LAST, IN_SIZE, OUT_SIZE, word } from './arguments';

// Set by rowOf for the unit last asked (per instance, so per thread).
export let outer: i32 = 0;
export let slice: i32 = 0;
export let row: i32 = 0;

/** Channels that sit together at one spatial cell: C in NHWC, 1 in NCHW. */
@inline
export function groupOf(block: usize): i32 {
  return word(block, CHANNELS_LAST) ? word(block, CHANNELS) : 1;
}

/** Samples (NHWC) or planes (NCHW): the units a scatter may split its work into without races. */
@inline
export function outerCount(block: usize): i32 {
  return word(block, CHANNELS_LAST) ? word(block, BATCH) : word(block, BATCH) * word(block, CHANNELS);
}

@inline
export function spatialSize(block: usize, sizes: i32): i32 {
  return word(block, sizes) * word(block, sizes + 1) * word(block, sizes + 2);
}

/** Splits unit into outer, slice and row over a grid of `sizes` (IN_SIZE or OUT_SIZE) rows. */
export function rowOf(block: usize, unit: i32, sizes: i32): void {
  const depth = word(block, sizes);
  const height = word(block, sizes + 1);
  outer = unit / (depth * height);
  slice = (unit / height) % depth;
  row = unit % height;
}

/** Element index of (outer, slice, row, column 0, channel 0) in a tensor of grid `sizes`. */
@inline
export function rowStart(block: usize, sizes: i32): usize {
  const group = <usize>groupOf(block);
  const height = word(block, sizes + 1);
  const width = word(block, sizes + 2);
  const cell = <usize>((slice * height + row) * width);
  return (<usize>outer * <usize>spatialSize(block, sizes) + cell) * group;
}

export { IN_SIZE, OUT_SIZE };
