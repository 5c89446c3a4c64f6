// Ordinal pooling forward (src/kernels/reference/extra/ordinal-pool.ts): y = Σ_r w_r·x_(r) over each
// window's in-bounds cells ranked largest first (NaN before every number, ties in window order, as
// the reference's stable sort), a float64 sum in rank order; 0 for an empty window. Cell i's rank
// is the count of cells ranked before it, found by comparing every pair (windows are small).
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, pointer, word } from '../../pool/arguments';
import { columnBytes, group, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { nanOf } from '../../pool/max-lanes';
import { currentThreadSlot } from '../../shared/thread-slot';
import { laneChannel, tableStep, weightColumn } from './blend-stats';
import { high, loadQuad, low, narrow, storeQuad, ZERO } from './lanes';
import { gatherWindow, SLOT_BYTES } from './median';
import { ordinalDenseBackward, ordinalDenseForward } from './ordinal-dense';
import { addTerms, clearUnitSums, kernelTaps, termSlot } from './plane-terms';
import { visitClearedUnits } from './blend';
import {
  quadChannel, SCRATCH, setQuadChannel, visitWindows, windowColumns, windowCount, windowDense, windowStart,
} from './window';

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
 * each window's terms g·x_(r) added to its planes' sums per rank (plane-terms.ts, the reference's order).
 */
export function ordinalBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  slot = pointer(block, SCRATCH) + <usize>currentThreadSlot() * <usize>word(block, SLOT_BYTES);
  clearUnitSums(block, firstUnit, endUnit, kernelTaps(block));
  visitClearedUnits(block, firstUnit, endUnit, false, ordinalBackwardWindow);
}

/** Every channel of the window begun last (its gradient from element `index`): a dense window's whole quads at once. */
function ordinalBackwardWindow(block: usize, index: usize): void {
  let channel = windowDense ? ordinalDenseBackward(block, index) : 0;
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
  addRankTerms(block, ranks, cells, gradient, count);
}

/** g·x_(r) for r < cells added to the planes' sums of rank r (plane-terms.ts). */
function addRankTerms(block: usize, ranks: usize, cells: i32, gradient: v128, count: i32): void {
  const taps = kernelTaps(block);
  for (let rank = 0; rank < cells; rank++) {
    const ranked = rankedValue(ranks, cells, rank);
    const termLow = f64x2.mul(low(gradient), low(ranked));
    const termHigh = f64x2.mul(high(gradient), high(ranked));
    addTerms(termSlot(block, taps, rank, quadChannel), termLow, termHigh, count);
  }
}
