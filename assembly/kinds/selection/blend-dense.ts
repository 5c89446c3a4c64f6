// Mixed and gated pooling on a dense 2x2 window (window.ts's windowDense, the seed CNN's), every
// whole quad of its channels in one straight-line loop: blend.ts's per-quad work (blend-stats.ts's
// denseStats and gateLanes, blendWindowBackward) with the same operations in the same order, so
// bit for bit the same, without a call per quad. channelsLast only (a quad is 4 channels).
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, pointer } from '../../pool/arguments';
import { cellBytes, group, rowBytes, rowCells } from '../../pool/walk';
import { takes } from '../../pool/max-lanes';
import { gateSigmoidLanes } from './gate';
import { tableStep, weightColumn } from './blend-stats';
import { high, low, narrow, ONE, ZERO } from './lanes';
import { addTerms, kernelTaps, termSlot } from './plane-terms';
import { CHANNEL_TABLE, KEPT_GATES, tapRow, windowFirstTap, windowStart, windowTopLeft } from './window';

/** x·0.25 is x/4 exactly (a power of two: the same rounding, subnormals too), without a division. */
const QUARTER: v128 = f64x2.splat(0.25);

// The quad last taken by denseQuad: its four taps, their max and its spatial index, the mean's halves.
let tapA: v128 = ZERO;
let tapB: v128 = ZERO;
let tapC: v128 = ZERO;
let tapD: v128 = ZERO;
let best: v128 = ZERO;
let bestIndex: v128 = ZERO;
let meanLow: v128 = ZERO;
let meanHigh: v128 = ZERO;
// The quad's g (proportion or gate) as two f64 halves.
let mixLow: v128 = ZERO;
let mixHigh: v128 = ZERO;

/** Loads the quad of channels at byte `offset` and takes its max (max pooling's rule), index and mean. */
@inline
function denseQuad(offset: usize, withIndex: bool): void {
  const start = windowStart + offset;
  const a = v128.load(start);
  const b = v128.load(start + cellBytes);
  const c = v128.load(start + rowBytes);
  const d = v128.load(start + rowBytes + cellBytes);
  let maximum = a;
  let index = i32x4.splat(windowTopLeft);
  let take = takes(b, maximum);
  maximum = v128.bitselect(b, maximum, take);
  if (withIndex) index = v128.bitselect(i32x4.splat(windowTopLeft + 1), index, take);
  take = takes(c, maximum);
  maximum = v128.bitselect(c, maximum, take);
  if (withIndex) index = v128.bitselect(i32x4.splat(windowTopLeft + rowCells), index, take);
  take = takes(d, maximum);
  maximum = v128.bitselect(d, maximum, take);
  if (withIndex) index = v128.bitselect(i32x4.splat(windowTopLeft + rowCells + 1), index, take);
  tapA = a;
  tapB = b;
  tapC = c;
  tapD = d;
  best = maximum;
  bestIndex = index;
  meanLow = f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.add(ZERO, low(a)), low(b)), low(c)), low(d)), QUARTER);
  meanHigh = f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.add(ZERO, high(a)), high(b)), high(c)), high(d)), QUARTER);
}

/**
 * g of the quad at byte `offset` (channel offset >> 2) into mixLow/mixHigh: the gate or the
 * channel's proportion. `kept` (gated only): where the quad's four gates lie in the room, 0 for no
 * room; `reading`: take them from there (the backward), else compute and leave them there.
 */
@inline
function denseMix(block: usize, offset: usize, gated: bool, kept: usize, reading: bool): void {
  if (!gated) {
    const proportions = v128.load(pointer(block, CHANNEL_TABLE) + offset);
    mixLow = low(proportions);
    mixHigh = high(proportions);
    return;
  }
  if (reading && kept != 0) {
    mixLow = v128.load(kept);
    mixHigh = v128.load(kept, 16);
    return;
  }
  // sigmoid(wᵀx) from +0 in window order, the taps at kernel positions first, + 1, + tapRow, + tapRow + 1.
  const step = tableStep(block);
  const weights = weightColumn(block, 0) + offset + <usize>windowFirstTap * step;
  const wA = v128.load(weights);
  const wB = v128.load(weights + step);
  const wC = v128.load(weights + <usize>tapRow * step);
  const wD = v128.load(weights + <usize>(tapRow + 1) * step);
  let totalLow = f64x2.add(ZERO, f64x2.mul(low(wA), low(tapA)));
  let totalHigh = f64x2.add(ZERO, f64x2.mul(high(wA), high(tapA)));
  totalLow = f64x2.add(totalLow, f64x2.mul(low(wB), low(tapB)));
  totalHigh = f64x2.add(totalHigh, f64x2.mul(high(wB), high(tapB)));
  totalLow = f64x2.add(totalLow, f64x2.mul(low(wC), low(tapC)));
  totalHigh = f64x2.add(totalHigh, f64x2.mul(high(wC), high(tapC)));
  totalLow = f64x2.add(totalLow, f64x2.mul(low(wD), low(tapD)));
  totalHigh = f64x2.add(totalHigh, f64x2.mul(high(wD), high(tapD)));
  const gates = gateSigmoidLanes(totalLow, totalHigh);
  mixLow = low(gates);
  mixHigh = high(gates);
  if (kept != 0) {
    v128.store(kept, mixLow);
    v128.store(kept, mixHigh, 16);
  }
}

/** Where the room keeps the gate of output element `index`, 0 without a room. */
@inline
export function keptGate(block: usize, index: usize): usize {
  const room = pointer(block, KEPT_GATES);
  return room == 0 ? 0 : room + (index << 3);
}

/** Forward of the dense window begun last, output from element `index`; returns the channels done. */
export function blendDenseForward(block: usize, index: usize, gated: bool): i32 {
  const output = pointer(block, OUTPUT) + (index << 2);
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    denseQuad(offset, false);
    denseMix(block, offset, gated, keptGate(block, index + <usize>channel), false);
    const lowHalf = f64x2.add(f64x2.mul(mixLow, low(best)), f64x2.mul(f64x2.sub(ONE, mixLow), meanLow));
    const highHalf = f64x2.add(f64x2.mul(mixHigh, high(best)), f64x2.mul(f64x2.sub(ONE, mixHigh), meanHigh));
    v128.store(output + offset, narrow(lowHalf, highHalf));
  }
  return limit;
}

/**
 * Backward of the dense window begun last (gradient from output element `index`): the input
 * gradient and the weight-gradient terms as blend.ts's blendWindowBackward. Returns the channels done.
 */
export function blendDenseBackward(block: usize, index: usize, gated: bool, disjoint: bool): i32 {
  const gradients = pointer(block, GRAD_OUTPUT) + (index << 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const limit = group & ~3;
  const constant = disjoint && !gated;
  const step = tableStep(block);
  const first = windowTopLeft;
  const taps = kernelTaps(block);
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    denseQuad(offset, true);
    denseMix(block, offset, gated, keptGate(block, index + <usize>channel), true);
    const gradient = v128.load(gradients + offset);
    const gradientLow = low(gradient);
    const gradientHigh = high(gradient);
    let factorLow = f64x2.mul(gradientLow, f64x2.sub(low(best), meanLow));
    let factorHigh = f64x2.mul(gradientHigh, f64x2.sub(high(best), meanHigh));
    if (gated) {
      factorLow = f64x2.mul(f64x2.mul(factorLow, mixLow), f64x2.sub(ONE, mixLow));
      factorHigh = f64x2.mul(f64x2.mul(factorHigh, mixHigh), f64x2.sub(ONE, mixHigh));
    }
    if (!gated) addTerms(termSlot(block, 1, 0, channel), factorLow, factorHigh, 4);
    const shareLow = f64x2.mul(f64x2.mul(f64x2.sub(ONE, mixLow), gradientLow), QUARTER);
    const shareHigh = f64x2.mul(f64x2.mul(f64x2.sub(ONE, mixHigh), gradientHigh), QUARTER);
    const toMaxLow = f64x2.mul(mixLow, gradientLow);
    const toMaxHigh = f64x2.mul(mixHigh, gradientHigh);
    const start = windowStart + offset + toGradInput;
    if (constant) {
      // Mixed on disjoint windows: each cell starts at +0 and gets the same share, so two values.
      const shared = narrow(f64x2.add(ZERO, shareLow), f64x2.add(ZERO, shareHigh));
      const withMax = narrow(f64x2.add(low(shared), toMaxLow), f64x2.add(high(shared), toMaxHigh));
      v128.store(start, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, i32x4.splat(first))));
      v128.store(start + cellBytes, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, i32x4.splat(first + 1))));
      const below = i32x4.splat(first + rowCells);
      v128.store(start + rowBytes, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, below)));
      const last = i32x4.splat(first + rowCells + 1);
      v128.store(start + rowBytes + cellBytes, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, last)));
      continue;
    }
    const weights = weightColumn(block, 0) + offset + <usize>windowFirstTap * step;
    for (let tap = 0; tap < 4; tap++) {
      const cell = start + (tap & 1 ? cellBytes : 0) + (tap & 2 ? rowBytes : 0);
      const position = (tap & 1) + (tap & 2 ? tapRow : 0);
      let termLow = shareLow;
      let termHigh = shareHigh;
      if (gated) {
        const weight = v128.load(weights + <usize>position * step);
        termLow = f64x2.add(shareLow, f64x2.mul(factorLow, low(weight)));
        termHigh = f64x2.add(shareHigh, f64x2.mul(factorHigh, high(weight)));
        const value = v128.load(cell - toGradInput);
        const slot = termSlot(block, taps, windowFirstTap + position, channel);
        addTerms(slot, f64x2.mul(factorLow, low(value)), f64x2.mul(factorHigh, high(value)), 4);
      }
      const old = disjoint ? f32x4.splat(0) : v128.load(cell);
      const shared = narrow(f64x2.add(low(old), termLow), f64x2.add(high(old), termHigh));
      const withMax = narrow(f64x2.add(low(shared), toMaxLow), f64x2.add(high(shared), toMaxHigh));
      const isMax = i32x4.eq(bestIndex, i32x4.splat(first + (tap & 1) + (tap & 2 ? rowCells : 0)));
      v128.store(cell, v128.bitselect(withMax, shared, isMax));
    }
  }
  return limit;
}
