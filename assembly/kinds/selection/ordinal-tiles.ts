// Ordinal pooling where the windows tile the input (blend-tiles.ts's case: 2x2 at stride 2, unpadded,
// channelsLast, whole quads): rows of windows in straight loops with each quad's ranks in locals
// (ordinal-dense.ts keeps them in module globals, which V8 keeps in memory), the same operations in
// the same order, so bit for bit the reference's. The table is ordinal.ts's [rank, channel] float32.
import { CHANNELS, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { inputRow, zeroUncovered } from './blend-tiles';
import { high, low, narrow, ZERO } from './lanes';
import { rankWeight, ranksBefore } from './ordinal-dense';
import { CHANNEL_TABLE, PLANE_SUMS } from './window';

/** The cell of rank `wanted` in each lane (ordinal-dense.ts's ranked: D where A, B and C are not it). */
@inline
function rankedCell(wanted: i32, a: v128, b: v128, c: v128, d: v128, rankA: v128, rankB: v128, rankC: v128): v128 {
  const rank = i32x4.splat(wanted);
  const value = v128.bitselect(c, d, i32x4.eq(rankC, rank));
  return v128.bitselect(a, v128.bitselect(b, value, i32x4.eq(rankB, rank)), i32x4.eq(rankA, rank));
}

/** total + w·x on both float64 halves (the low half returned, the high one added into `highTotal`). */
@inline
function weighted(total: v128, weight: v128, value: v128): v128 {
  return f64x2.add(total, f64x2.mul(low(weight), low(value)));
}

@inline
function weightedHigh(total: v128, weight: v128, value: v128): v128 {
  return f64x2.add(total, f64x2.mul(high(weight), high(value)));
}

/** Forward, output rows [firstUnit, endUnit). */
export function ordinalTileRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const cellBytes = <usize>word(block, CHANNELS) << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const outWidth = word(block, OUT_SIZE + 2);
  const table = pointer(block, CHANNEL_TABLE);
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
        const ba = ranksBefore(b, a);
        const ca = ranksBefore(c, a);
        const da = ranksBefore(d, a);
        const cb = ranksBefore(c, b);
        const db = ranksBefore(d, b);
        const dc = ranksBefore(d, c);
        const rankA = i32x4.neg(i32x4.add(i32x4.add(ba, ca), da));
        const rankB = i32x4.neg(i32x4.add(i32x4.add(cb, db), v128.not(ba)));
        const rankC = i32x4.neg(i32x4.add(i32x4.add(dc, v128.not(ca)), v128.not(cb)));
        let totalLow = ZERO;
        let totalHigh = ZERO;
        const weights = table + offset;
        for (let rank = 0; rank < 4; rank++) {
          const value = rankedCell(rank, a, b, c, d, rankA, rankB, rankC);
          const weight = v128.load(weights + <usize>rank * cellBytes);
          totalLow = weighted(totalLow, weight, value);
          totalHigh = weightedHigh(totalHigh, weight, value);
        }
        v128.store(output + offset, narrow(totalLow, totalHigh));
      }
    }
  }
}

/** +0 + g·w into a cell's gradient (float64, rounded once): the cell's only window wrote it. */
@inline
function writeTerm(cell: usize, gradient: v128, weight: v128): void {
  const termLow = f64x2.add(ZERO, f64x2.mul(low(gradient), low(weight)));
  v128.store(cell, narrow(termLow, f64x2.add(ZERO, f64x2.mul(high(gradient), high(weight)))));
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
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const sums = pointer(block, PLANE_SUMS) + ((<usize>sample * <usize>channels) << 5); // four ranks
    memory.fill(sums, 0, cellBytes << 3);
    for (let unit = sample * rowsPerSample; unit < (sample + 1) * rowsPerSample; unit++) {
      let cell = inputRow(block, unit, below);
      let gradients = pointer(block, GRAD_OUTPUT) + <usize>unit * <usize>outWidth * cellBytes;
      for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, gradients += cellBytes) {
        ordinalTileCellsBackward(block, cell, gradients, cellBytes, below, toGradInput, sums);
      }
    }
    zeroUncovered(block, sample, cellBytes, below, toGradInput);
  }
}

/** One window's quads. */
@inline
function ordinalTileCellsBackward(
  block: usize, cell: usize, gradients: usize, right: usize, below: usize, toGradInput: usize, sums: usize,
): void {
  const rankBytes = right << 1; // a rank's sums: the channels' float64
  for (let offset: usize = 0; offset < right; offset += 16) {
    const at = cell + offset;
    const a = v128.load(at);
    const b = v128.load(at + right);
    const c = v128.load(at + below);
    const d = v128.load(at + below + right);
    const ba = ranksBefore(b, a);
    const ca = ranksBefore(c, a);
    const da = ranksBefore(d, a);
    const cb = ranksBefore(c, b);
    const db = ranksBefore(d, b);
    const dc = ranksBefore(d, c);
    const rankA = i32x4.neg(i32x4.add(i32x4.add(ba, ca), da));
    const rankB = i32x4.neg(i32x4.add(i32x4.add(cb, db), v128.not(ba)));
    const rankC = i32x4.neg(i32x4.add(i32x4.add(dc, v128.not(ca)), v128.not(cb)));
    const rankD = i32x4.neg(i32x4.add(i32x4.add(v128.not(da), v128.not(db)), v128.not(dc)));
    const gradient = v128.load(gradients + offset);
    const weights = pointer(block, CHANNEL_TABLE) + offset;
    const w0 = v128.load(weights);
    const w1 = v128.load(weights + right);
    const w2 = v128.load(weights + 2 * right);
    const w3 = v128.load(weights + 3 * right);
    const grad = at + toGradInput;
    writeTerm(grad, gradient, rankWeight(rankA, w0, w1, w2, w3));
    writeTerm(grad + right, gradient, rankWeight(rankB, w0, w1, w2, w3));
    writeTerm(grad + below, gradient, rankWeight(rankC, w0, w1, w2, w3));
    writeTerm(grad + below + right, gradient, rankWeight(rankD, w0, w1, w2, w3));
    const gradientLow = low(gradient);
    const gradientHigh = high(gradient);
    for (let rank = 0; rank < 4; rank++) {
      const value = rankedCell(rank, a, b, c, d, rankA, rankB, rankC);
      const slot = sums + <usize>rank * rankBytes + (offset << 1);
      v128.store(slot, f64x2.add(v128.load(slot), f64x2.mul(gradientLow, low(value))));
      v128.store(slot, f64x2.add(v128.load(slot, 16), f64x2.mul(gradientHigh, high(value))), 16);
    }
  }
}
