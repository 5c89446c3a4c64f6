// Ordinal pooling on a dense 2x2 window (window.ts's windowDense, the seed CNN's), every whole quad
// of its channels in registers: ordinal.ts's ranks (NaN first, then the larger, ties in window
// order) from the six pairs of the four cells, the rank-ordered float64 sum, and the backward's
// g·w_rank per cell and g·x_(r) terms: the same operations in the same order as ordinal.ts's
// gathered path, so bit for bit the same. channelsLast only (a quad is 4 channels).
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, pointer } from '../../pool/arguments';
import { nanOf } from '../../pool/max-lanes';
import { cellBytes, group, rowBytes } from '../../pool/walk';
import { tableStep, weightColumn } from './blend-stats';
import { high, low, narrow, ZERO } from './lanes';
import { addTerms, kernelTaps, termSlot } from './plane-terms';
import { windowStart } from './window';

// The quad last ranked: its cells, their ranks (0 first), and the values in rank order.
let cellA: v128 = ZERO;
let cellB: v128 = ZERO;
let cellC: v128 = ZERO;
let cellD: v128 = ZERO;
let rankA: v128 = ZERO;
let rankB: v128 = ZERO;
let rankC: v128 = ZERO;
let rankD: v128 = ZERO;

/** Lanes where `value` ranks strictly before `other`: a NaN before any number, else the larger. */
@inline
export function ranksBefore(value: v128, other: v128): v128 {
  return v128.andnot(v128.or(nanOf(value), f32x4.gt(value, other)), nanOf(other));
}

/**
 * Loads and ranks the quad at byte `offset`. A cell's rank counts the cells before it: for an
 * earlier cell j, unless the cell ranks strictly before j; for a later one, if it ranks strictly
 * before the cell. So each pair (earlier e, later l) asks one question, whether l ranks before e.
 */
@inline
function rankQuad(offset: usize): void {
  const start = windowStart + offset;
  const a = v128.load(start);
  const b = v128.load(start + cellBytes);
  const c = v128.load(start + rowBytes);
  const d = v128.load(start + rowBytes + cellBytes);
  const ba = ranksBefore(b, a);
  const ca = ranksBefore(c, a);
  const da = ranksBefore(d, a);
  const cb = ranksBefore(c, b);
  const db = ranksBefore(d, b);
  const dc = ranksBefore(d, c);
  // A true lane is −1, so a rank is minus its sum of masks; v128.not(mask) counts the pairs where it is false.
  rankA = i32x4.neg(i32x4.add(i32x4.add(ba, ca), da));
  rankB = i32x4.neg(i32x4.add(i32x4.add(cb, db), v128.not(ba)));
  rankC = i32x4.neg(i32x4.add(i32x4.add(dc, v128.not(ca)), v128.not(cb)));
  rankD = i32x4.neg(i32x4.add(i32x4.add(v128.not(da), v128.not(db)), v128.not(dc)));
  cellA = a;
  cellB = b;
  cellC = c;
  cellD = d;
}

/** The cell of rank `rank` in each lane: ranks are a permutation of 0 to 3, so D where A, B and C are not it. */
@inline
function ranked(rank: i32): v128 {
  const wanted = i32x4.splat(rank);
  let value = v128.bitselect(cellC, cellD, i32x4.eq(rankC, wanted));
  value = v128.bitselect(cellB, value, i32x4.eq(rankB, wanted));
  return v128.bitselect(cellA, value, i32x4.eq(rankA, wanted));
}

/** Σ_r w_r·x_(r) from +0 in rank order, the weights of channel quad `offset` at ranks 0 to 3. */
@inline
function rankedSum(weights: usize, step: usize): v128 {
  let totalLow = ZERO;
  let totalHigh = ZERO;
  for (let rank = 0; rank < 4; rank++) {
    const value = ranked(rank);
    const weight = v128.load(weights + <usize>rank * step);
    totalLow = f64x2.add(totalLow, f64x2.mul(low(weight), low(value)));
    totalHigh = f64x2.add(totalHigh, f64x2.mul(high(weight), high(value)));
  }
  return narrow(totalLow, totalHigh);
}

/** Forward of the dense window begun last, output from element `index`; returns the channels done. */
export function ordinalDenseForward(block: usize, index: usize): i32 {
  const output = pointer(block, OUTPUT) + (index << 2);
  const step = tableStep(block);
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    rankQuad(offset);
    v128.store(output + offset, rankedSum(weightColumn(block, 0) + offset, step));
  }
  return limit;
}

/** The weight of each lane's rank: w_rank from the four rank weights. */
@inline
function rankWeight(rank: v128, w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  let weight = v128.bitselect(w1, w0, i32x4.eq(rank, i32x4.splat(1)));
  weight = v128.bitselect(w2, weight, i32x4.eq(rank, i32x4.splat(2)));
  return v128.bitselect(w3, weight, i32x4.eq(rank, i32x4.splat(3)));
}

/** old + g·w into a gradient cell (float64, rounded once as a float32 store). */
@inline
function addTerm(cell: usize, gradient: v128, weight: v128): void {
  const old = v128.load(cell);
  const termLow = f64x2.mul(low(gradient), low(weight));
  const termHigh = f64x2.mul(high(gradient), high(weight));
  v128.store(cell, narrow(f64x2.add(low(old), termLow), f64x2.add(high(old), termHigh)));
}

/**
 * Backward of the dense window begun last (gradient from output element `index`): g·w_rank into
 * each cell's gradient, and the terms g·x_(r) added to the planes' sums of rank r (plane-terms.ts).
 * Returns the channels done.
 */
export function ordinalDenseBackward(block: usize, index: usize): i32 {
  const gradients = pointer(block, GRAD_OUTPUT) + (index << 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const step = tableStep(block);
  const taps = kernelTaps(block);
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    rankQuad(offset);
    const gradient = v128.load(gradients + offset);
    const weights = weightColumn(block, 0) + offset;
    const w0 = v128.load(weights);
    const w1 = v128.load(weights + step);
    const w2 = v128.load(weights + 2 * step);
    const w3 = v128.load(weights + 3 * step);
    const start = windowStart + offset + toGradInput;
    addTerm(start, gradient, rankWeight(rankA, w0, w1, w2, w3));
    addTerm(start + cellBytes, gradient, rankWeight(rankB, w0, w1, w2, w3));
    addTerm(start + rowBytes, gradient, rankWeight(rankC, w0, w1, w2, w3));
    addTerm(start + rowBytes + cellBytes, gradient, rankWeight(rankD, w0, w1, w2, w3));
    for (let rank = 0; rank < 4; rank++) {
      const value = ranked(rank);
      const termLow = f64x2.mul(low(gradient), low(value));
      const termHigh = f64x2.mul(high(gradient), high(value));
      addTerms(termSlot(block, taps, rank, channel), termLow, termHigh, 4);
    }
  }
  return limit;
}
