// Ordinal pooling forward (src/kernels/reference/extra/ordinal-pool.ts): y = Σ_r w_r·x_(r) over each
// window's in-bounds cells ranked largest first (NaN before every number, ties in window order, as
// the reference's stable sort), a float64 sum in rank order; 0 for an empty window. Cell i's rank
// is the count of cells ranked before it, found by comparing every pair (windows are small).
import {
  CHANNELS, CHANNELS_LAST, GRAD_INPUT, GRAD_OUTPUT, INPUT, KERNEL, OUTPUT, OUT_SIZE, pointer, word,
} from '../../pool/arguments';
import { outer, outerCount, row, slice } from '../../pool/rows';
import { windowEntry } from '../../pool/tables';
import { beginOutputRow, columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { nanOf } from '../../pool/max-lanes';
import { currentThreadSlot } from '../../shared/thread-slot';
import { laneChannel, tableStep, weightColumn } from './blend-stats';
import { high, loadQuad, low, narrow, storeQuad, ZERO } from './lanes';
import { gatherWindow, SLOT_BYTES } from './median';
import { ordinalDenseBackward, ordinalDenseForward } from './ordinal-dense';
import { clearedPlaneSums } from './blend-gradient';
import {
  quadChannel, quadColumn, rowsPerOuter, SCRATCH, setQuadChannel, visitWindows, windowColumns, windowCount, windowDense, windowStart,
} from './window';

/** The per-thread slots (SCRATCH in the forward) and the backward's f64 terms. */
const SLOT_SCRATCH = SCRATCH;
const TERMS = 56;

// This call's scratch slot: the window's values (16 bytes a cell), then their ranks.
let slot: usize = 0;

/** Output rows [firstUnit, endUnit): see assembly/pool/rows.ts. */
export function ordinalPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SLOT_BYTES);
  visitWindows(block, firstUnit, endUnit, false, ordinalWindow);
}

/** Every channel of the window begun last, whose output starts at element `index`: a dense window's whole quads at once. */
function ordinalWindow(block: usize, index: usize): void {
  let channel = windowDense ? ordinalDenseForward(block, index) : 0;
  for (; channel < group; channel += 4) {
    setQuadChannel(channel);
    ordinalVisit(block, windowStart + (<usize>channel << 2), index + <usize>channel, min(4, group - channel));
  }
}

/** Lanes where `value` ranks strictly before `other`: a NaN before any number, else the larger. */
@inline
function ranksBefore(value: v128, other: v128): v128 {
  return v128.andnot(v128.or(nanOf(value), f32x4.gt(value, other)), nanOf(other));
}

/** Ranks the gathered window's cells into the slot after their values; returns where the ranks start. */
function rankCells(cells: i32): usize {
  const ranks = slot + (<usize>cells << 4);
  for (let cell = 0; cell < cells; cell++) {
    const value = v128.load(slot + (<usize>cell << 4));
    let rank = i32x4.splat(0);
    for (let other = 0; other < cells; other++) {
      const compared = v128.load(slot + (<usize>other << 4));
      const before = ranksBefore(compared, value);
      const tie = v128.not(v128.or(before, ranksBefore(value, compared)));
      rank = i32x4.sub(rank, other < cell ? v128.or(before, tie) : before); // a true lane is −1
    }
    v128.store(ranks + (<usize>cell << 4), rank);
  }
  return ranks;
}

/** The gathered value of rank `rank` in each lane. */
function rankedValue(ranks: usize, cells: i32, rank: i32): v128 {
  let ranked = f32x4.splat(0);
  for (let cell = 0; cell < cells; cell++) {
    const here = i32x4.eq(v128.load(ranks + (<usize>cell << 4)), i32x4.splat(rank));
    ranked = v128.bitselect(v128.load(slot + (<usize>cell << 4)), ranked, here);
  }
  return ranked;
}

function ordinalVisit(block: usize, start: usize, index: usize, count: i32): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const cells = windowCount;
  if (cells == 0) {
    storeQuad(output, f32x4.splat(0), count);
    return;
  }
  gatherWindow(start, slot, count);
  const ranks = rankCells(cells);
  const weights = weightColumn(block, laneChannel(block, quadChannel));
  const step = tableStep(block);
  let totalLow = ZERO;
  let totalHigh = ZERO;
  for (let rank = 0; rank < cells; rank++) {
    const ranked = rankedValue(ranks, cells, rank);
    const weight = loadQuad(weights + <usize>rank * step, count);
    totalLow = f64x2.add(totalLow, f64x2.mul(low(weight), low(ranked)));
    totalHigh = f64x2.add(totalHigh, f64x2.mul(high(weight), high(ranked)));
  }
  storeQuad(output, narrow(totalLow, totalHigh), count);
}


/**
 * Backward, units [firstUnit, endUnit) (samples in NHWC, planes in NCHW): g·w_rank to each cell, and
 * each window's terms g·x_(r) into the f64 scratch (plane-major, `taps` per window) for
 * ordinalWeightGradient to sum in the reference's order.
 */
export function ordinalBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  slot = pointer(block, SLOT_SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SLOT_BYTES);
  const outerRows = rowsPerOuter(block);
  visitWindows(block, firstUnit * outerRows, endUnit * outerRows, false, ordinalBackwardWindow);
}

/** Every channel of the window begun last (its gradient from element `index`): a dense window's whole quads at once. */
function ordinalBackwardWindow(block: usize, index: usize): void {
  let channel = 0;
  if (windowDense) {
    const taps = <usize>word(block, KERNEL) * <usize>word(block, KERNEL + 1) * <usize>word(block, KERNEL + 2);
    channel = ordinalDenseBackward(block, index, termsAddress(block, 0, taps), termsPlaneBytes(block, taps));
  }
  for (; channel < group; channel += 4) {
    setQuadChannel(channel);
    ordinalBackwardVisit(block, windowStart + (<usize>channel << 2), index + <usize>channel, min(4, group - channel));
  }
}

function ordinalBackwardVisit(block: usize, start: usize, index: usize, count: i32): void {
  const cells = windowCount;
  if (cells == 0) return;
  gatherWindow(start, slot, count);
  const ranks = rankCells(cells);
  const gradient = loadQuad(pointer(block, GRAD_OUTPUT) + (index << 2), count);
  const weights = weightColumn(block, laneChannel(block, quadChannel));
  const step = tableStep(block);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  let cell = 0;
  let slicePointer = start + toGradInput;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, cell++) {
        const rank = v128.load(ranks + (<usize>cell << 4));
        const weight = i32x4(
          load<i32>(weights + <usize>i32x4.extract_lane(rank, 0) * step),
          count > 1 ? load<i32>(weights + <usize>i32x4.extract_lane(rank, 1) * step, 4) : 0,
          count > 2 ? load<i32>(weights + <usize>i32x4.extract_lane(rank, 2) * step, 8) : 0,
          count > 3 ? load<i32>(weights + <usize>i32x4.extract_lane(rank, 3) * step, 12) : 0,
        );
        const old = loadQuad(tap, count);
        const termLow = f64x2.mul(low(gradient), low(weight));
        const termHigh = f64x2.mul(high(gradient), high(weight));
        storeQuad(tap, narrow(f64x2.add(low(old), termLow), f64x2.add(high(old), termHigh)), count);
      }
    }
  }
  storeTerms(block, ranks, cells, gradient, count);
}

/** g·x_(r) for r < cells into the scratch: lane l's window is plane l further on (NHWC lanes are planes). */
function storeTerms(block: usize, ranks: usize, cells: i32, gradient: v128, count: i32): void {
  const taps = <usize>word(block, KERNEL) * <usize>word(block, KERNEL + 1) * <usize>word(block, KERNEL + 2);
  const first = termsAddress(block, quadChannel, taps);
  const planeBytes = termsPlaneBytes(block, taps);
  for (let rank = 0; rank < cells; rank++) {
    const ranked = rankedValue(ranks, cells, rank);
    const termLow = f64x2.mul(low(gradient), low(ranked));
    const termHigh = f64x2.mul(high(gradient), high(ranked));
    const at = first + (<usize>rank << 3);
    store<f64>(at, f64x2.extract_lane(termLow, 0));
    if (count > 1) store<f64>(at + planeBytes, f64x2.extract_lane(termLow, 1));
    if (count > 2) store<f64>(at + 2 * planeBytes, f64x2.extract_lane(termHigh, 0));
    if (count > 3) store<f64>(at + 3 * planeBytes, f64x2.extract_lane(termHigh, 1));
  }
}

/** Where the terms of the window begun last start for channel `channel` (plane-major, `taps` per window). */
function termsAddress(block: usize, channel: i32, taps: usize): usize {
  const spatial = <usize>word(block, OUT_SIZE) * <usize>word(block, OUT_SIZE + 1) * <usize>word(block, OUT_SIZE + 2);
  const plane = group == 1 ? <usize>outer : <usize>outer * <usize>word(block, CHANNELS) + <usize>channel;
  const cell = <usize>((slice * word(block, OUT_SIZE + 1) + row) * word(block, OUT_SIZE + 2) + quadColumn);
  return pointer(block, TERMS) + ((plane * spatial + cell) * taps << 3);
}

/** Bytes of one plane of terms: `taps` f64 per output cell. */
@inline
function termsPlaneBytes(block: usize, taps: usize): usize {
  return (<usize>word(block, OUT_SIZE) * <usize>word(block, OUT_SIZE + 1) * <usize>word(block, OUT_SIZE + 2) * taps) << 3;
}

/**
 * ∂y/∂w_r per plane (src/kernels/reference/extra/plane-sums.ts): each plane's terms summed per rank
 * in float64 window after window, into PLANE_SUMS, for outer units [firstUnit, endUnit) (samples in
 * NHWC, planes in NCHW); ranks 0-3 in locals, the others in memory.
 */
export function ordinalPlaneSums(block: usize, firstUnit: i32, endUnit: i32): void {
  const laneCount = word(block, CHANNELS_LAST) != 0 ? word(block, CHANNELS) : 1;
  const outWidth = word(block, OUT_SIZE + 2);
  const outerRows = rowsPerOuter(block);
  const taps = word(block, KERNEL) * word(block, KERNEL + 1) * word(block, KERNEL + 2);
  const planeBytes = termsPlaneBytes(block, <usize>taps);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    for (let lane = 0; lane < laneCount; lane++) {
      const plane = unit * laneCount + lane;
      const slots = clearedPlaneSums(block, plane, taps);
      let terms = pointer(block, TERMS) + <usize>plane * planeBytes;
      let s0: f64 = 0;
      let s1: f64 = 0;
      let s2: f64 = 0;
      let s3: f64 = 0;
      for (let rowUnit = unit * outerRows; rowUnit < (unit + 1) * outerRows; rowUnit++) {
        beginOutputRow(block, rowUnit);
        const widthTable = windowEntry(block, 2, 0);
        const rowCount = slices * rows;
        for (let column = 0; column < outWidth; column++, terms += <usize>taps << 3) {
          const count = rowCount * load<i32>(widthTable + (<usize>column << 4), 4); // beginWindow's windowCount
          if (count == 4) {
            s0 += load<f64>(terms);
            s1 += load<f64>(terms, 8);
            s2 += load<f64>(terms, 16);
            s3 += load<f64>(terms, 24);
            continue;
          }
          if (count > 0) s0 += load<f64>(terms);
          if (count > 1) s1 += load<f64>(terms, 8);
          if (count > 2) s2 += load<f64>(terms, 16);
          if (count > 3) s3 += load<f64>(terms, 24);
          for (let rank = 4; rank < count; rank++) {
            const at = slots + (<usize>rank << 3);
            store<f64>(at, load<f64>(at) + load<f64>(terms + (<usize>rank << 3)));
          }
        }
      }
      if (taps > 0) store<f64>(slots, s0);
      if (taps > 1) store<f64>(slots, s1, 8);
      if (taps > 2) store<f64>(slots, s2, 16);
      if (taps > 3) store<f64>(slots, s3, 24);
    }
  }
}
