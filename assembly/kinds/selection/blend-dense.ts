// Mixed and gated pooling on a dense 2x2 window (window.ts's windowDense, the seed CNN's), every
// whole quad of its channels in one straight-line loop: blend.ts's per-quad work (blend-stats.ts's
// denseStats and gateLanes, blendWindowBackward) with the same operations in the same order, so
// bit for bit the same, without a call per quad. channelsLast only (a quad is 4 channels). A quad's
// values live in locals: V8 keeps a wasm global in memory, a store and reloads per quad.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, pointer } from '../../pool/arguments';
import { cellBytes, group, rowBytes, rowCells } from '../../pool/walk';
import { takes } from '../../pool/max-lanes';
import { gateSigmoidLanes } from './gate';
import { tableStep } from './blend-stats';
import { high, low, narrow, ONE, ZERO } from './lanes';
import { addTerms, kernelTaps, termSlot } from './plane-terms';
import { CHANNEL_TABLE, KEPT_GATES, tapRow, windowFirstTap, windowStart, windowTopLeft } from './window';

/** x·0.25 is x/4 exactly (a power of two: the same rounding, subnormals too), without a division. */
export const QUARTER: v128 = f64x2.splat(0.25);

/** The max of a quad's four taps by max pooling's rule (a NaN taken, the first of ties). */
@inline
function maxOf(a: v128, b: v128, c: v128, d: v128): v128 {
  const best = v128.bitselect(b, a, takes(b, a));
  const third = v128.bitselect(c, best, takes(c, best));
  return v128.bitselect(d, third, takes(d, third));
}

/** ((((+0 + a) + b) + c) + d)·¼ on one f64x2 half: the window's mean in the reference's order. */
@inline
export function meanOf(a: v128, b: v128, c: v128, d: v128): v128 {
  return f64x2.mul(f64x2.add(f64x2.add(f64x2.add(f64x2.add(ZERO, a), b), c), d), QUARTER);
}

/** wᵀx from +0 in window order on one f64x2 half (weights first, taps second in each pair). */
@inline
function gateInputOf(wA: v128, a: v128, wB: v128, b: v128, wC: v128, c: v128, wD: v128, d: v128): v128 {
  let total = f64x2.add(ZERO, f64x2.mul(wA, a));
  total = f64x2.add(total, f64x2.mul(wB, b));
  total = f64x2.add(total, f64x2.mul(wC, c));
  return f64x2.add(total, f64x2.mul(wD, d));
}

/** g·max + (1 − g)·mean on one f64x2 half. */
@inline
function blendOf(mix: v128, maximum: v128, mean: v128): v128 {
  return f64x2.add(f64x2.mul(mix, maximum), f64x2.mul(f64x2.sub(ONE, mix), mean));
}

/** Where the room keeps the gate of output element `index` (a float32: gate.ts's gates are), 0 without a room. */
@inline
export function keptGate(block: usize, index: usize): usize {
  const room = pointer(block, KEPT_GATES);
  return room == 0 ? 0 : room + (index << 2);
}

/** Forward of the dense window begun last, output from element `index`; returns the channels done. */
export function blendDenseForward(block: usize, index: usize, gated: bool): i32 {
  const output = pointer(block, OUTPUT) + (index << 2);
  const limit = group & ~3;
  const start = windowStart;
  const right = cellBytes;
  const below = rowBytes;
  const table = pointer(block, CHANNEL_TABLE);
  const step = tableStep(block);
  // The weights of the taps at kernel positions first, + 1, + tapRow, + tapRow + 1 (channel 0's).
  const weights = table + <usize>windowFirstTap * step;
  const weightsBelow = weights + <usize>tapRow * step;
  const room = keptGate(block, index);
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(start + offset);
    const b = v128.load(start + offset + right);
    const c = v128.load(start + offset + below);
    const d = v128.load(start + offset + below + right);
    const best = maxOf(a, b, c, d);
    let mixLow: v128;
    let mixHigh: v128;
    if (gated) {
      const wA = v128.load(weights + offset);
      const wB = v128.load(weights + offset + step);
      const wC = v128.load(weightsBelow + offset);
      const wD = v128.load(weightsBelow + offset + step);
      const inputLow = gateInputOf(low(wA), low(a), low(wB), low(b), low(wC), low(c), low(wD), low(d));
      const inputHigh = gateInputOf(high(wA), high(a), high(wB), high(b), high(wC), high(c), high(wD), high(d));
      const gates = gateSigmoidLanes(inputLow, inputHigh);
      mixLow = low(gates);
      mixHigh = high(gates);
      if (room != 0) v128.store(room + offset, gates);
    } else {
      const proportions = v128.load(table + offset);
      mixLow = low(proportions);
      mixHigh = high(proportions);
    }
    const lowHalf = blendOf(mixLow, low(best), meanOf(low(a), low(b), low(c), low(d)));
    const highHalf = blendOf(mixHigh, high(best), meanOf(high(a), high(b), high(c), high(d)));
    v128.store(output + offset, narrow(lowHalf, highHalf));
  }
  return limit;
}

/** old + term, rounded to float32, then + toMax where `isMax`: one cell's input gradient (float64 halves). */
@inline
function addCell(
  cell: usize, old: v128, termLow: v128, termHigh: v128, toMaxLow: v128, toMaxHigh: v128, isMax: v128,
): void {
  const shared = narrow(f64x2.add(low(old), termLow), f64x2.add(high(old), termHigh));
  const withMax = narrow(f64x2.add(low(shared), toMaxLow), f64x2.add(high(shared), toMaxHigh));
  v128.store(cell, v128.bitselect(withMax, shared, isMax));
}

/**
 * Gated pooling's one tap: share + f·w into the cell's gradient (and the max's s·g), f·x into the
 * tap's weight-gradient sums at `slot`. `disjoint`: the cell's gradient starts at the zeroed +0.
 */
@inline
function gatedTap(
  cell: usize, slot: usize, value: v128, weight: v128, factorLow: v128, factorHigh: v128, shareLow: v128,
  shareHigh: v128, toMaxLow: v128, toMaxHigh: v128, isMax: v128, disjoint: bool,
): void {
  const termLow = f64x2.add(shareLow, f64x2.mul(factorLow, low(weight)));
  const termHigh = f64x2.add(shareHigh, f64x2.mul(factorHigh, high(weight)));
  addTerms(slot, f64x2.mul(factorLow, low(value)), f64x2.mul(factorHigh, high(value)), 4);
  const old = disjoint ? f32x4.splat(0) : v128.load(cell);
  addCell(cell, old, termLow, termHigh, toMaxLow, toMaxHigh, isMax);
}

/**
 * Backward of the dense window begun last (gradient from output element `index`): the input
 * gradient and the weight-gradient terms as blend.ts's blendWindowBackward. Returns the channels done.
 */
export function blendDenseBackward(block: usize, index: usize, gated: bool, disjoint: bool): i32 {
  const gradients = pointer(block, GRAD_OUTPUT) + (index << 2);
  const start = windowStart;
  const gradStart = start + pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const right = cellBytes;
  const below = rowBytes;
  const limit = group & ~3;
  const table = pointer(block, CHANNEL_TABLE);
  const step = tableStep(block);
  const weights = table + <usize>windowFirstTap * step;
  const weightsBelow = weights + <usize>tapRow * step;
  const room = keptGate(block, index);
  // The taps' weight-gradient sums (channel 0's; kernel positions as the weights'), or mixed's one.
  const taps = gated ? kernelTaps(block) : 1;
  const slotA = termSlot(block, taps, gated ? windowFirstTap : 0, 0);
  const slotB = termSlot(block, taps, windowFirstTap + 1, 0);
  const slotC = termSlot(block, taps, windowFirstTap + tapRow, 0);
  const slotD = termSlot(block, taps, windowFirstTap + tapRow + 1, 0);
  const first = windowTopLeft;
  const atA = i32x4.splat(first);
  const atB = i32x4.splat(first + 1);
  const atC = i32x4.splat(first + rowCells);
  const atD = i32x4.splat(first + rowCells + 1);
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(start + offset);
    const b = v128.load(start + offset + right);
    const c = v128.load(start + offset + below);
    const d = v128.load(start + offset + below + right);
    let take = takes(b, a);
    let best = v128.bitselect(b, a, take);
    let bestIndex = v128.bitselect(atB, atA, take);
    take = takes(c, best);
    best = v128.bitselect(c, best, take);
    bestIndex = v128.bitselect(atC, bestIndex, take);
    take = takes(d, best);
    best = v128.bitselect(d, best, take);
    bestIndex = v128.bitselect(atD, bestIndex, take);
    let mixLow: v128;
    let mixHigh: v128;
    let wA = ZERO;
    let wB = ZERO;
    let wC = ZERO;
    let wD = ZERO;
    if (gated) {
      wA = v128.load(weights + offset);
      wB = v128.load(weights + offset + step);
      wC = v128.load(weightsBelow + offset);
      wD = v128.load(weightsBelow + offset + step);
      if (room != 0) {
        const kept = v128.load(room + offset);
        mixLow = low(kept);
        mixHigh = high(kept);
      } else {
        const inputLow = gateInputOf(low(wA), low(a), low(wB), low(b), low(wC), low(c), low(wD), low(d));
        const inputHigh = gateInputOf(high(wA), high(a), high(wB), high(b), high(wC), high(c), high(wD), high(d));
        const gates = gateSigmoidLanes(inputLow, inputHigh);
        mixLow = low(gates);
        mixHigh = high(gates);
      }
    } else {
      const proportions = v128.load(table + offset);
      mixLow = low(proportions);
      mixHigh = high(proportions);
    }
    const gradient = v128.load(gradients + offset);
    const gradientLow = low(gradient);
    const gradientHigh = high(gradient);
    let factorLow = f64x2.mul(gradientLow, f64x2.sub(low(best), meanOf(low(a), low(b), low(c), low(d))));
    let factorHigh = f64x2.mul(gradientHigh, f64x2.sub(high(best), meanOf(high(a), high(b), high(c), high(d))));
    if (gated) {
      factorLow = f64x2.mul(f64x2.mul(factorLow, mixLow), f64x2.sub(ONE, mixLow));
      factorHigh = f64x2.mul(f64x2.mul(factorHigh, mixHigh), f64x2.sub(ONE, mixHigh));
    } else {
      addTerms(slotA + (offset << 1), factorLow, factorHigh, 4);
    }
    const shareLow = f64x2.mul(f64x2.mul(f64x2.sub(ONE, mixLow), gradientLow), QUARTER);
    const shareHigh = f64x2.mul(f64x2.mul(f64x2.sub(ONE, mixHigh), gradientHigh), QUARTER);
    const toMaxLow = f64x2.mul(mixLow, gradientLow);
    const toMaxHigh = f64x2.mul(mixHigh, gradientHigh);
    const cell = gradStart + offset;
    if (gated) {
      const slot = offset << 1;
      const at = cell;
      gatedTap(at, slotA + slot, a, wA, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atA), disjoint);
      gatedTap(at + right, slotB + slot, b, wB, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atB), disjoint);
      gatedTap(at + below, slotC + slot, c, wC, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atC), disjoint);
      gatedTap(at + below + right, slotD + slot, d, wD, factorLow, factorHigh, shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atD), disjoint);
      continue;
    }
    if (disjoint) {
      // Mixed on disjoint windows: each cell starts at +0 and gets the same share, so two values.
      const shared = narrow(f64x2.add(ZERO, shareLow), f64x2.add(ZERO, shareHigh));
      const withMax = narrow(f64x2.add(low(shared), toMaxLow), f64x2.add(high(shared), toMaxHigh));
      v128.store(cell, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, atA)));
      v128.store(cell + right, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, atB)));
      v128.store(cell + below, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, atC)));
      v128.store(cell + below + right, v128.bitselect(withMax, shared, i32x4.eq(bestIndex, atD)));
      continue;
    }
    addCell(cell, v128.load(cell), shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atA));
    addCell(cell + right, v128.load(cell + right), shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atB));
    addCell(cell + below, v128.load(cell + below), shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atC));
    const last = cell + below + right;
    addCell(last, v128.load(last), shareLow, shareHigh, toMaxLow, toMaxHigh, i32x4.eq(bestIndex, atD));
  }
  return limit;
}
