// Scatter and gather by saved argmax (reference argmax.ts): max-pool backward (scatter-add),
// max-unpool forward (scatter) and backward (gather). A unit is a sample in NHWC (its planes
// interleave) or a plane in NCHW, so threads never touch one cell. argmax < 0 moves nothing.
import { CHANNELS, CHANNELS_LAST, INDICES, LARGE, LARGE_SPATIAL, SMALL, SMALL_SPATIAL, pointer, word } from './arguments';

const ADD = 0;
const SET = 1;
const GATHER = 2;

export function argmaxScatterAddPlanes(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) movePlanes(block, unit, ADD);
}

export function argmaxScatterPlanes(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) movePlanes(block, unit, SET);
}

export function argmaxGatherPlanes(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) movePlanes(block, unit, GATHER);
}

@inline
function addTo(address: usize, value: f32): void {
  store<f32>(address, load<f32>(address) + value);
}

/** One unit's cells, in the reference's order within each plane (cells of a plane in order). */
function movePlanes(block: usize, unit: i32, mode: i32): void {
  const group = word(block, CHANNELS_LAST) ? word(block, CHANNELS) : 1;
  const cellBytes = <usize>group << 2;
  const smallCells = word(block, SMALL_SPATIAL);
  const smallBase = <usize>unit * <usize>smallCells * cellBytes;
  const large = pointer(block, LARGE) + <usize>unit * <usize>word(block, LARGE_SPATIAL) * cellBytes;
  let small = pointer(block, SMALL) + smallBase;
  let indices = pointer(block, INDICES) + smallBase;
  const vectorBytes = cellBytes & ~15;
  const cellSteps = i32x4.splat(<i32>cellBytes);
  const laneOffsets = i32x4(0, 4, 8, 12);
  for (let cell = 0; cell < smallCells; cell++) {
    let channel: usize = 0;
    if (mode == ADD) {
      // Four channels at a time: the four target addresses in one vector multiply-add.
      for (; channel < vectorBytes; channel += 16) {
        const targets = v128.load(indices + channel);
        if (i32x4.bitmask(targets) != 0) break; // an argmax of -1: finish this cell one by one
        const base = i32x4.add(i32x4.splat(<i32>(large + channel)), laneOffsets);
        const addresses = i32x4.add(i32x4.mul(targets, cellSteps), base);
        const values = v128.load(small + channel);
        addTo(<usize>i32x4.extract_lane(addresses, 0), f32x4.extract_lane(values, 0));
        addTo(<usize>i32x4.extract_lane(addresses, 1), f32x4.extract_lane(values, 1));
        addTo(<usize>i32x4.extract_lane(addresses, 2), f32x4.extract_lane(values, 2));
        addTo(<usize>i32x4.extract_lane(addresses, 3), f32x4.extract_lane(values, 3));
      }
    }
    for (; channel < cellBytes; channel += 4) {
      const target = load<i32>(indices + channel);
      if (mode == GATHER) {
        // an empty window's cell (argmax -1) reads as 0
        store<f32>(small + channel, target < 0 ? 0 : load<f32>(large + <usize>target * cellBytes + channel));
        continue;
      }
      if (target < 0) continue;
      const largePointer = large + <usize>target * cellBytes + channel;
      const value = load<f32>(small + channel);
      store<f32>(largePointer, mode == ADD ? load<f32>(largePointer) + value : value);
    }
    small += cellBytes;
    indices += cellBytes;
  }
}
