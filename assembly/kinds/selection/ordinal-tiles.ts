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
import { ahead, behind, exchanges, mayHoldNaN, rankGradient, storeCellGradients } from './ordinal-quads';
import { CHANNEL_TABLE, PLANE_SUMS } from './window';

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
        const weights = table + (offset << 4);
        const a = v128.load(at);
        const b = v128.load(at + cellBytes);
        const c = v128.load(at + below);
        const d = v128.load(at + below + cellBytes);
        if (mayHoldNaN(a, b, c, d)) nanQuad(false, at, output + offset, weights, cellBytes, below, 0, 0);
        else rankQuad(false, false, a, b, c, d, at, output + offset, weights, cellBytes, below, 0, 0);
      }
    }
  }
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
          const at = cell + offset;
          const weights = table + (offset << 4);
          const slot = sums + (offset << 1);
          const a = v128.load(at);
          const b = v128.load(at + cellBytes);
          const c = v128.load(at + below);
          const d = v128.load(at + below + cellBytes);
          if (mayHoldNaN(a, b, c, d)) {
            nanQuad(true, at, gradients + offset, weights, cellBytes, below, toGradInput, slot);
          } else {
            rankQuad(false, true, a, b, c, d, at, gradients + offset, weights, cellBytes, below, toGradInput, slot);
          }
        }
      }
    }
    zeroUncovered(block, sample, cellBytes, below, toGradInput);
  }
}

/** rankQuad under the NaN rules, out of line (rare). */
function nanQuad(
  backward: bool, at: usize, out: usize, weights: usize, right: usize, below: usize, toGradInput: usize, slot: usize,
): void {
  const a = v128.load(at);
  const b = v128.load(at + right);
  const c = v128.load(at + below);
  const d = v128.load(at + below + right);
  if (backward) rankQuad(true, true, a, b, c, d, at, out, weights, right, below, toGradInput, slot);
  else rankQuad(true, false, a, b, c, d, at, out, weights, right, below, toGradInput, slot);
}

/**
 * One quad of a window (cells at `at`, right of it, below, below right), sorted by ordinal-quads.ts's
 * exchanges. Forward: Σ_r w_r·x_(r) to `out`. Backward (`out` the output gradients): each cell's g·w_rank,
 * and g·x_(r) added to the channels' sums of rank r from `slot` (a rank's sums are 2·right bytes apart).
 */
@inline
function rankQuad(
  nanRules: bool, backward: bool, a: v128, b: v128, c: v128, d: v128, at: usize, out: usize, weights: usize,
  right: usize, below: usize, toGradInput: usize, slot: usize,
): void {
  const m1 = exchanges(a, b, nanRules); // round 1: places 0,1 and 2,3
  const m2 = exchanges(c, d, nanRules);
  const first1 = ahead(a, b, m1, nanRules);
  const second1 = behind(a, b, m1, nanRules);
  const third1 = ahead(c, d, m2, nanRules);
  const fourth1 = behind(c, d, m2, nanRules);
  const m3 = exchanges(second1, third1, nanRules); // round 2: places 1,2
  const second2 = ahead(second1, third1, m3, nanRules);
  const third2 = behind(second1, third1, m3, nanRules);
  const m4 = exchanges(first1, second2, nanRules); // round 3: places 0,1 and 2,3
  const m5 = exchanges(third2, fourth1, nanRules);
  const second3 = behind(first1, second2, m4, nanRules);
  const third3 = ahead(third2, fourth1, m5, nanRules);
  const m6 = exchanges(second3, third3, nanRules); // round 4: places 1,2
  const x0 = ahead(first1, second2, m4, nanRules);
  const x1 = ahead(second3, third3, m6, nanRules);
  const x2 = behind(second3, third3, m6, nanRules);
  const x3 = behind(third2, fourth1, m5, nanRules);
  if (!backward) {
    v128.store(out, rankedSum(weights + 32, x0, x1, x2, x3));
    return;
  }
  const gradient = v128.load(out);
  const gradientZero = f32x4.eq(gradient, f32x4.splat(0));
  storeCellGradients(
    at + toGradInput, right, below, m1, m2, m3, m4, m5, m6,
    rankGradient(gradient, gradientZero, weights),
    rankGradient(gradient, gradientZero, weights + 64),
    rankGradient(gradient, gradientZero, weights + 128),
    rankGradient(gradient, gradientZero, weights + 192),
  );
  const gradientLow = low(gradient);
  const gradientHigh = high(gradient);
  const rankBytes = right << 1;
  addRankTerm(slot, gradientLow, gradientHigh, x0);
  addRankTerm(slot + rankBytes, gradientLow, gradientHigh, x1);
  addRankTerm(slot + 2 * rankBytes, gradientLow, gradientHigh, x2);
  addRankTerm(slot + 3 * rankBytes, gradientLow, gradientHigh, x3);
}

/** sum + g·x on both float64 halves of a rank's four sums at `slot`. */
@inline
function addRankTerm(slot: usize, gradientLow: v128, gradientHigh: v128, value: v128): void {
  v128.store(slot, multiplyAdd(gradientLow, low(value), v128.load(slot)));
  v128.store(slot, multiplyAdd(gradientHigh, high(value), v128.load(slot, 16)), 16);
}
