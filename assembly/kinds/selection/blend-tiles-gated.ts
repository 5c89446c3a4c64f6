// Gated pooling where the windows tile the input (blend-tiles.ts's case: 2x2 at stride 2, unpadded,
// channelsLast, whole quads): rows of windows in straight loops, blend-dense.ts's arithmetic in the
// same order, so bit for bit the reference's. The table holds each quad's four taps' weights as
// float64 (one quad: tap 0's four lanes, then taps 1, 2, 3: 128 bytes); the room, when given, the
// float32 gates (the forward writes them, the backward reads them).
import { CHANNELS, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { takes } from '../../pool/max-lanes';
import { meanOf, QUARTER } from './blend-dense';
import { inputRow, pairAt, zeroUncovered } from './blend-tiles';
import { gateSigmoidLanes } from './gate';
import { high, low, narrow, ONE, ZERO } from './lanes';
import { CHANNEL_TABLE, KEPT_GATES, PLANE_SUMS } from './window';

/** wᵀx from +0 in window order on one f64x2 half, the weights at `weights` (32 bytes a tap). */
@inline
function gateInputOf(weights: usize, a: v128, b: v128, c: v128, d: v128): v128 {
  let total = f64x2.add(ZERO, f64x2.mul(v128.load(weights), a));
  total = f64x2.add(total, f64x2.mul(v128.load(weights, 32), b));
  total = f64x2.add(total, f64x2.mul(v128.load(weights, 64), c));
  return f64x2.add(total, f64x2.mul(v128.load(weights, 96), d));
}

/** g·max + (1 − g)·mean on one f64x2 half (pmax: a NaN window's mean is NaN anyway). */
@inline
function blendOf(mix: v128, a: v128, b: v128, c: v128, d: v128): v128 {
  const maximum = f64x2.pmax(f64x2.pmax(f64x2.pmax(a, b), c), d);
  return f64x2.add(f64x2.mul(mix, maximum), f64x2.mul(f64x2.sub(ONE, mix), meanOf(a, b, c, d)));
}

/** Forward, output rows [firstUnit, endUnit). */
export function gatedTileRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const cellBytes = <usize>word(block, CHANNELS) << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const outWidth = word(block, OUT_SIZE + 2);
  const table = pointer(block, CHANNEL_TABLE);
  const room = pointer(block, KEPT_GATES);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    let cell = inputRow(block, unit, below);
    const outputOffset = <usize>unit * <usize>outWidth * cellBytes;
    let output = pointer(block, OUTPUT) + outputOffset;
    let kept = room + outputOffset;
    for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, output += cellBytes, kept += cellBytes) {
      for (let offset: usize = 0, weights = table; offset < cellBytes; offset += 16, weights += 128) {
        const at = cell + offset;
        const aLow = pairAt(at);
        const bLow = pairAt(at + cellBytes);
        const cLow = pairAt(at + below);
        const dLow = pairAt(at + below + cellBytes);
        const aHigh = pairAt(at + 8);
        const bHigh = pairAt(at + cellBytes + 8);
        const cHigh = pairAt(at + below + 8);
        const dHigh = pairAt(at + below + cellBytes + 8);
        const gates = gateSigmoidLanes(
          gateInputOf(weights, aLow, bLow, cLow, dLow),
          gateInputOf(weights + 16, aHigh, bHigh, cHigh, dHigh),
        );
        if (room != 0) v128.store(kept + offset, gates);
        const lowHalf = blendOf(low(gates), aLow, bLow, cLow, dLow);
        v128.store(output + offset, narrow(lowHalf, blendOf(high(gates), aHigh, bHigh, cHigh, dHigh)));
      }
    }
  }
}

/**
 * Backward, samples [firstUnit, endUnit): every cell of the sample's input gradient written once, and
 * each tap's f·x added to the sample's [tap][channel] float64 sums in window order (plane-terms.ts).
 */
export function gatedTileBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const channels = word(block, CHANNELS);
  const cellBytes = <usize>channels << 2;
  const below = <usize>word(block, IN_SIZE + 2) * cellBytes;
  const rowsPerSample = word(block, OUT_SIZE) * word(block, OUT_SIZE + 1);
  const outWidth = word(block, OUT_SIZE + 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const room = pointer(block, KEPT_GATES);
  for (let sample = firstUnit; sample < endUnit; sample++) {
    const sums = pointer(block, PLANE_SUMS) + ((<usize>sample * <usize>channels) << 5); // four taps
    memory.fill(sums, 0, cellBytes << 3);
    for (let unit = sample * rowsPerSample; unit < (sample + 1) * rowsPerSample; unit++) {
      let cell = inputRow(block, unit, below);
      const gradientOffset = <usize>unit * <usize>outWidth * cellBytes;
      let gradient = pointer(block, GRAD_OUTPUT) + gradientOffset;
      let kept = room == 0 ? 0 : room + gradientOffset;
      for (let column = 0; column < outWidth; column++, cell += cellBytes << 1, gradient += cellBytes) {
        gatedTileCellsBackward(block, cell, gradient, kept, cellBytes, below, toGradInput, sums);
        if (kept != 0) kept += cellBytes;
      }
    }
    zeroUncovered(block, sample, cellBytes, below, toGradInput);
  }
}

/** One window's quads. */
@inline
function gatedTileCellsBackward(
  block: usize, cell: usize, gradients: usize, kept: usize, right: usize, below: usize, toGradInput: usize, sums: usize,
): void {
  const tapBytes = right << 1; // a tap's sums: the channels' float64
  for (let offset: usize = 0, weights = pointer(block, CHANNEL_TABLE); offset < right; offset += 16, weights += 128) {
    const at = cell + offset;
    const a = v128.load(at);
    const b = v128.load(at + right);
    const c = v128.load(at + below);
    const d = v128.load(at + below + right);
    const takeB = takes(b, a);
    let best = v128.bitselect(b, a, takeB);
    const takeC = takes(c, best);
    best = v128.bitselect(c, best, takeC);
    const takeD = takes(d, best);
    best = v128.bitselect(d, best, takeD);
    const aLow = low(a);
    const bLow = low(b);
    const cLow = low(c);
    const dLow = low(d);
    const aHigh = pairAt(at + 8);
    const bHigh = pairAt(at + right + 8);
    const cHigh = pairAt(at + below + 8);
    const dHigh = pairAt(at + below + right + 8);
    const gates =
      kept != 0
        ? v128.load(kept + offset)
        : gateSigmoidLanes(
            gateInputOf(weights, aLow, bLow, cLow, dLow),
            gateInputOf(weights + 16, aHigh, bHigh, cHigh, dHigh),
          );
    const mixLow = low(gates);
    const mixHigh = high(gates);
    const gradient = v128.load(gradients + offset);
    const gradientLow = low(gradient);
    const gradientHigh = high(gradient);
    let factorLow = f64x2.mul(gradientLow, f64x2.sub(low(best), meanOf(aLow, bLow, cLow, dLow)));
    let factorHigh = f64x2.mul(gradientHigh, f64x2.sub(high(best), meanOf(aHigh, bHigh, cHigh, dHigh)));
    factorLow = f64x2.mul(f64x2.mul(factorLow, mixLow), f64x2.sub(ONE, mixLow));
    factorHigh = f64x2.mul(f64x2.mul(factorHigh, mixHigh), f64x2.sub(ONE, mixHigh));
    const shareLow = f64x2.mul(f64x2.mul(f64x2.sub(ONE, mixLow), gradientLow), QUARTER);
    const shareHigh = f64x2.mul(f64x2.mul(f64x2.sub(ONE, mixHigh), gradientHigh), QUARTER);
    const toMaxLow = f64x2.mul(mixLow, gradientLow);
    const toMaxHigh = f64x2.mul(mixHigh, gradientHigh);
    const grad = at + toGradInput;
    const slot = sums + (offset << 1);
    const laterCD = v128.or(takeC, takeD);
    const isA = v128.not(v128.or(takeB, laterCD));
    tap(grad, slot, aLow, aHigh, weights, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, isA);
    const isB = v128.andnot(takeB, laterCD);
    tap(grad + right, slot + tapBytes, bLow, bHigh, weights + 32, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, isB);
    const isC = v128.andnot(takeC, takeD);
    tap(grad + below, slot + 2 * tapBytes, cLow, cHigh, weights + 64, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, isC);
    tap(grad + below + right, slot + 3 * tapBytes, dLow, dHigh, weights + 96, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, takeD);
  }
}

/**
 * One tap: f·x into its sums at `slot`, and its cell's gradient from +0: (1 − s)·g/4 + f·w, rounded
 * to float32, then + s·g where `isMax` (blend-dense.ts's gatedTap with a zeroed cell).
 */
@inline
function tap(
  cell: usize, slot: usize, valueLow: v128, valueHigh: v128, weights: usize, factorLow: v128, factorHigh: v128,
  shareLow: v128, shareHigh: v128, toMaxLow: v128, toMaxHigh: v128, isMax: v128,
): void {
  v128.store(slot, f64x2.add(v128.load(slot), f64x2.mul(factorLow, valueLow)));
  v128.store(slot, f64x2.add(v128.load(slot, 16), f64x2.mul(factorHigh, valueHigh)), 16);
  const sharedLow = f32x4.demote_f64x2_zero(f64x2.add(ZERO, f64x2.add(shareLow, f64x2.mul(factorLow, v128.load(weights)))));
  const sharedHigh = f32x4.demote_f64x2_zero(f64x2.add(ZERO, f64x2.add(shareHigh, f64x2.mul(factorHigh, v128.load(weights, 16)))));
  const withMaxLow = f64x2.add(f64x2.promote_low_f32x4(sharedLow), toMaxLow);
  const withMaxHigh = f64x2.add(f64x2.promote_low_f32x4(sharedHigh), toMaxHigh);
  const shared = i32x4.shuffle(sharedLow, sharedHigh, 0, 1, 4, 5);
  v128.store(cell, v128.bitselect(narrow(withMaxLow, withMaxHigh), shared, isMax));
}
