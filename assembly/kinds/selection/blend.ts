// Mixed and gated pooling (src/kernels/reference/extra/mixed-pool.ts, gated-pool.ts): y = g·max +
// (1 − g)·mean with g the channel's proportion (mixed, from the per-channel table) or the window's
// gate sigmoid(wᵀx) (gated, from the [taps, channels] table). Float64 in the reference's order.
import { CHANNELS, GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { outer, row, slice } from '../../pool/rows';
import { windowEntry } from '../../pool/tables';
import {
  beginOutputRow, columnBytes, columnCells, group, outStart, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { gateLanes, laneChannel, maxIndex, maxima, means, weightLanes, windowStats } from './blend-stats';
import { loadLanes, ONE, roundLanes, storeLanes } from './lanes';
import {
  beginRowTaps, beginWindow, BLEND_MODE, CHANNEL_TABLE, rowsPerOuter, SCRATCH, tapRow, tapSlice, windowColumns,
  windowCount, windowFirstTap, windowStart, windowTopLeft,
} from './window';

/** The window's g: the gate (gated) or the channel's proportion (mixed). */
@inline
function blendLanes(block: usize, gated: bool, channel: i32, pair: bool): v128 {
  const start = windowStart + (<usize>channel << 2);
  const lane = laneChannel(block, channel);
  return gated ? gateLanes(block, start, lane, pair) : loadLanes(pointer(block, CHANNEL_TABLE) + (<usize>lane << 2), pair);
}

/** Forward, output rows [firstUnit, endUnit). */
export function blendRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const gated = word(block, BLEND_MODE) != 0;
  const output = pointer(block, OUTPUT);
  const outWidth = word(block, OUT_SIZE + 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    beginOutputRow(block, unit);
    if (gated) beginRowTaps(block);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++) {
      beginWindow(block, widthTable, column, gated);
      const first = outStart + <usize>(column * group);
      for (let channel = 0; channel < group; channel += 2) {
        const pair = channel + 1 < group;
        const mix = blendLanes(block, gated, channel, pair);
        windowStats(windowStart + (<usize>channel << 2), pair);
        const blended = f64x2.add(f64x2.mul(mix, maxima), f64x2.mul(f64x2.sub(ONE, mix), means));
        storeLanes(output + ((first + <usize>channel) << 2), blended, pair);
      }
    }
  }
}

/**
 * Backward, units [firstUnit, endUnit) (samples in NHWC, planes in NCHW): the input gradient in the
 * reference's order, and each window's weight-gradient factor (mixed: ∂y/∂a = g_out·(max − mean);
 * gated: ∂y/∂s·s(1 − s)) into the f64 scratch in plane order, −0 for an empty window (adding −0
 * changes nothing), for blendWeightGradient to sum in order.
 */
export function blendBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const gated = word(block, BLEND_MODE) != 0;
  const outWidth = word(block, OUT_SIZE + 2);
  const outerRows = rowsPerOuter(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    for (let rowUnit = unit * outerRows; rowUnit < (unit + 1) * outerRows; rowUnit++) {
      beginOutputRow(block, rowUnit);
      if (gated) beginRowTaps(block);
      const widthTable = windowEntry(block, 2, 0);
      for (let column = 0; column < outWidth; column++) {
        beginWindow(block, widthTable, column, gated);
        for (let channel = 0; channel < group; channel += 2) blendWindowBackward(block, gated, column, channel);
      }
    }
  }
}

/** Where the scratch keeps the factor of lane 0's window: plane-major order, as the reference walks. */
function scratchAddress(block: usize, column: i32, channel: i32): usize {
  const outHeight = word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const spatial = <usize>word(block, OUT_SIZE) * <usize>outHeight * <usize>outWidth;
  const plane = group == 1 ? <usize>outer : <usize>outer * <usize>word(block, CHANNELS) + <usize>channel;
  const cell = <usize>((slice * outHeight + row) * outWidth + column);
  return pointer(block, SCRATCH) + ((plane * spatial + cell) << 3);
}

function blendWindowBackward(block: usize, gated: bool, column: i32, channel: i32): void {
  const pair = channel + 1 < group;
  const factorAt = scratchAddress(block, column, channel);
  const planeBytes = <usize>word(block, OUT_SIZE) * <usize>word(block, OUT_SIZE + 1) * <usize>word(block, OUT_SIZE + 2) << 3;
  if (windowCount == 0) {
    storeFactors(factorAt, planeBytes, f64x2.splat(-0.0), pair);
    return;
  }
  const index = outStart + <usize>(column * group + channel);
  const gradient = loadLanes(pointer(block, GRAD_OUTPUT) + (index << 2), pair);
  const mix = blendLanes(block, gated, channel, pair);
  const start = windowStart + (<usize>channel << 2);
  windowStats(start, pair);
  const spread = f64x2.mul(gradient, f64x2.sub(maxima, means));
  const factor = gated ? f64x2.mul(f64x2.mul(spread, mix), f64x2.sub(ONE, mix)) : spread;
  storeFactors(factorAt, planeBytes, factor, pair);
  const share = f64x2.div(f64x2.mul(f64x2.sub(ONE, mix), gradient), f64x2.splat(<f64>windowCount));
  const toMax = f64x2.mul(mix, gradient);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const lane = laneChannel(block, channel);
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  let sliceTap = windowFirstTap;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells, sliceTap += tapSlice) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    let rowTap = sliceTap;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells, rowTap += tapRow) {
      let tap = rowPointer + toGradInput;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells) {
        const term = gated ? f64x2.add(share, f64x2.mul(factor, weightLanes(block, rowTap + kx, lane, pair))) : share;
        const shared = roundLanes(f64x2.add(loadLanes(tap, pair), term));
        const isMax = i64x2.eq(maxIndex, i64x2.splat(tapIndex));
        storeLanes(tap, v128.bitselect(f64x2.add(shared, toMax), shared, isMax), pair);
      }
    }
  }
}

/** Lane 0's factor at `address`, lane 1's a plane further on (NHWC pairs are two planes). */
@inline
function storeFactors(address: usize, planeBytes: usize, factor: v128, pair: bool): void {
  store<f64>(address, f64x2.extract_lane(factor, 0));
  if (pair) store<f64>(address + planeBytes, f64x2.extract_lane(factor, 1));
}

