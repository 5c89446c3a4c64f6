// Ordinal pooling where the windows tile the input (blend-tiles.ts's case: 2x2 at stride 2, unpadded,
// channelsLast, whole quads): rows of windows in straight loops, bit for bit the reference's. A quad
// without NaN takes ordinal-quads.ts's sorting network and rank bits; one that may hold NaN ranks by
// count of the NaN-aware compares (ordinal-dense.ts's rules). The table is ordinalTileTable's
// (src/kernels/wasm/kinds/selection-tables.ts): per quad of channels and rank, w as float32, the −0
// to add to g·w, w as float64.
import { CHANNELS, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { inputRow, zeroUncovered } from './blend-tiles';
import { multiplyAdd } from '../filters/multiply-add';
import { high, low, narrow, ZERO } from './lanes';
import { ranksBefore } from './ordinal-dense';
import { mayHoldNaN, rankGradient, storeCellGradients } from './ordinal-quads';
import { CHANNEL_TABLE, PLANE_SUMS } from './window';

/** The cell of rank `wanted` in each lane (ordinal-dense.ts's ranked: D where A, B and C are not it). */
@inline
function rankedCell(wanted: i32, a: v128, b: v128, c: v128, d: v128, rankA: v128, rankB: v128, rankC: v128): v128 {
  const rank = i32x4.splat(wanted);
  const value = v128.bitselect(c, d, i32x4.eq(rankC, rank));
  return v128.bitselect(a, v128.bitselect(b, value, i32x4.eq(rankB, rank)), i32x4.eq(rankA, rank));
}

/** Σ_r w_r·x_(r) from +0 in rank order on both float64 halves, w_r's pairs at `weights` + 64r (ordinalTileTable). */
@inline
function rankedSum(weights: usize, x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  let totalLow = multiplyAdd(v128.load(weights), low(x0), ZERO);
  let totalHigh = multiplyAdd(v128.load(weights, 16), high(x0), ZERO);
  totalLow = multiplyAdd(v128.load(weights, 64), low(x1), totalLow);
  totalHigh = multiplyAdd(v128.load(weights, 80), high(x1), totalHigh);
  totalLow = multiplyAdd(v128.load(weights, 128), low(x2), totalLow);
  totalHigh = multiplyAdd(v128.load(weights, 144), high(x2), totalHigh);
  totalLow = multiplyAdd(v128.load(weights, 192), low(x3), totalLow);
  totalHigh = multiplyAdd(v128.load(weights, 208), high(x3), totalHigh);
  return narrow(totalLow, totalHigh);
}

/** Ranks as counts (ordinal-dense.ts's), from the masks: a true lane is −1. */
@inline
function countRank(first: v128, second: v128, third: v128): v128 {
  return i32x4.neg(i32x4.add(i32x4.add(first, second), third));
}

/** Forward, output rows [firstUnit, endUnit). */
export function ordinalTileRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const cellBytes = <usize>word(block, CHANNELS) << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const outWidth = word(block, OUT_SIZE + 2);
  const table = pointer(block, CHANNEL_TABLE) + 32; // the float64 weights
  for (let unit = firstUnit; unit < endUnit; unit++) {
    let cell = inputRow(block, unit, below);
    let output = pointer(block, OUTPUT) + <usize>unit * <usize>outWidth * cellBytes;
    for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, output += cellBytes) {
      for (let offset: usize = 0; offset < cellBytes; offset += 16) {
        const at = cell + offset;
        const a = v128.load(at);
        const b = v128.load(at + cellBytes);
        const c = v128.load(at + below);
        const d = v128.load(at + below + cellBytes);
        const weights = table + (offset << 4);
        if (mayHoldNaN(a, b, c, d)) {
          v128.store(output + offset, nanRankedSum(weights, a, b, c, d));
          continue;
        }
        const high1 = f32x4.pmax(a, b); // the sorting network, largest first (ordinal-quads.ts)
        const low1 = f32x4.pmin(a, b);
        const high2 = f32x4.pmax(c, d);
        const low2 = f32x4.pmin(c, d);
        const upper = f32x4.pmin(high1, high2);
        const lower = f32x4.pmax(low1, low2);
        const first = f32x4.pmax(high1, high2);
        const last = f32x4.pmin(low1, low2);
        const sum = rankedSum(weights, first, f32x4.pmax(upper, lower), f32x4.pmin(upper, lower), last);
        v128.store(output + offset, sum);
      }
    }
  }
}

/** The quad's sum where a lane may hold NaN: ranks by ranksBefore's rules (NaN first), the cells picked per rank. */
function nanRankedSum(weights: usize, a: v128, b: v128, c: v128, d: v128): v128 {
  const ba = ranksBefore(b, a);
  const ca = ranksBefore(c, a);
  const da = ranksBefore(d, a);
  const cb = ranksBefore(c, b);
  const db = ranksBefore(d, b);
  const dc = ranksBefore(d, c);
  const rankA = countRank(ba, ca, da);
  const rankB = countRank(cb, db, v128.not(ba));
  const rankC = countRank(dc, v128.not(ca), v128.not(cb));
  return rankedSum(
    weights,
    rankedCell(0, a, b, c, d, rankA, rankB, rankC),
    rankedCell(1, a, b, c, d, rankA, rankB, rankC),
    rankedCell(2, a, b, c, d, rankA, rankB, rankC),
    rankedCell(3, a, b, c, d, rankA, rankB, rankC),
  );
}

/**
 * Backward, samples [firstUnit, endUnit): every cell of the sample's input gradient written once, and
 * the terms g·x_(r) added to the sample's [rank][channel] float64 sums in window order (plane-terms.ts).
 */
export function ordinalTileBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const cellBytes = <usize>channels << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const rowsPerSample = word(block, OUT_SIZE) * word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const table = pointer(block, CHANNEL_TABLE);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const sums = pointer(block, PLANE_SUMS) + ((<usize>sample * <usize>channels) << 5); // four ranks
    memory.fill(sums, 0, cellBytes << 3);
    for (let unit = sample * rowsPerSample; unit < (sample + 1) * rowsPerSample; unit++) {
      let cell = inputRow(block, unit, below);
      let gradients = pointer(block, GRAD_OUTPUT) + <usize>unit * <usize>outWidth * cellBytes;
      for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, gradients += cellBytes) {
        for (let offset: usize = 0; offset < cellBytes; offset += 16) {
          const weights = table + (offset << 4);
          const slot = sums + (offset << 1);
          ordinalQuadBackward(cell + offset, gradients + offset, weights, cellBytes, below, toGradInput, slot);
        }
      }
    }
    zeroUncovered(block, sample, cellBytes, below, toGradInput);
  }
}

/**
 * One quad of a window: its cells' gradients, and its terms added to the sums of its channels from
 * `slot` (a rank's sums are 2·right bytes apart).
 */
@inline
function ordinalQuadBackward(
  at: usize, gradients: usize, weights: usize, right: usize, below: usize, toGradInput: usize, slot: usize,
): void {
  const a = v128.load(at);
  const b = v128.load(at + right);
  const c = v128.load(at + below);
  const d = v128.load(at + below + right);
  if (mayHoldNaN(a, b, c, d)) {
    nanQuadBackward(at, gradients, weights, right, below, toGradInput, slot);
    return;
  }
  const gradient = v128.load(gradients);
  const gradientZero = f32x4.eq(gradient, f32x4.splat(0));
  storeCellGradients(
    at + toGradInput, right, below,
    f32x4.gt(b, a), f32x4.gt(c, a), f32x4.gt(d, a), f32x4.gt(c, b), f32x4.gt(d, b), f32x4.gt(d, c),
    rankGradient(gradient, gradientZero, weights),
    rankGradient(gradient, gradientZero, weights + 64),
    rankGradient(gradient, gradientZero, weights + 128),
    rankGradient(gradient, gradientZero, weights + 192),
  );
  const gradientLow = low(gradient);
  const gradientHigh = high(gradient);
  const rankBytes = right << 1;
  const high1 = f32x4.pmax(a, b); // the sorting network, largest first (ordinal-quads.ts)
  const low1 = f32x4.pmin(a, b);
  const high2 = f32x4.pmax(c, d);
  const low2 = f32x4.pmin(c, d);
  const upper = f32x4.pmin(high1, high2);
  const lower = f32x4.pmax(low1, low2);
  addRankTerm(slot, gradientLow, gradientHigh, f32x4.pmax(high1, high2));
  addRankTerm(slot + rankBytes, gradientLow, gradientHigh, f32x4.pmax(upper, lower));
  addRankTerm(slot + 2 * rankBytes, gradientLow, gradientHigh, f32x4.pmin(upper, lower));
  addRankTerm(slot + 3 * rankBytes, gradientLow, gradientHigh, f32x4.pmin(low1, low2));
}

/** sum + g·x on both float64 halves of a rank's four sums at `slot`. */
@inline
function addRankTerm(slot: usize, gradientLow: v128, gradientHigh: v128, value: v128): void {
  v128.store(slot, multiplyAdd(gradientLow, low(value), v128.load(slot)));
  v128.store(slot, multiplyAdd(gradientHigh, high(value), v128.load(slot, 16)), 16);
}

/** The quad's backward where a lane may hold NaN: ranksBefore's masks, and the cells picked per rank. */
function nanQuadBackward(
  at: usize, gradients: usize, weights: usize, right: usize, below: usize, toGradInput: usize, slot: usize,
): void {
  const a = v128.load(at);
  const b = v128.load(at + right);
  const c = v128.load(at + below);
  const d = v128.load(at + below + right);
  const gradient = v128.load(gradients);
  const gradientZero = f32x4.eq(gradient, f32x4.splat(0));
  const ba = ranksBefore(b, a);
  const ca = ranksBefore(c, a);
  const da = ranksBefore(d, a);
  const cb = ranksBefore(c, b);
  const db = ranksBefore(d, b);
  const dc = ranksBefore(d, c);
  storeCellGradients(
    at + toGradInput, right, below, ba, ca, da, cb, db, dc,
    rankGradient(gradient, gradientZero, weights),
    rankGradient(gradient, gradientZero, weights + 64),
    rankGradient(gradient, gradientZero, weights + 128),
    rankGradient(gradient, gradientZero, weights + 192),
  );
  const rankA = countRank(ba, ca, da);
  const rankB = countRank(cb, db, v128.not(ba));
  const rankC = countRank(dc, v128.not(ca), v128.not(cb));
  for (let rank = 0; rank < 4; rank++) {
    const value = rankedCell(rank, a, b, c, d, rankA, rankB, rankC);
    addRankTerm(slot + <usize>rank * (right << 1), low(gradient), high(gradient), value);
  }
}
