// Mixed and gated pooling (src/kernels/reference/extra/mixed-pool.ts, gated-pool.ts): y = g·max +
// (1 − g)·mean with g the channel's proportion (mixed, from the per-channel table) or the window's
// gate sigmoid(wᵀx) (gated, from the [taps, channels] table). Float64 in the reference's order.
import { GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUTPUT, pointer, word } from '../../pool/arguments';
import { groupOf, spatialSize } from '../../pool/rows';
import {
  columnBytes, columnCells, group, outStart, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { gateHigh, gateLanes, laneChannel, maxIndex, maxima, meansHigh, meansLow, tableStep, weightColumn, windowStats } from './blend-stats';
import { blendDenseBackward, blendDenseForward, keptGate } from './blend-dense';
import { high, loadQuad, low, narrow, ONE, storeQuad, ZERO } from './lanes';
import { addTerms, clearUnitSums, kernelTaps, termSlot } from './plane-terms';
import {
  BLEND_MODE, CHANNEL_TABLE, DISJOINT, quadChannel, quadColumn, rowsPerOuter, setQuadChannel, tapRow,
  tapSlice, visitWindows, WindowVisitor, windowColumns, windowCount, windowDense, windowFirstTap, windowStart, windowTopLeft,
} from './window';

/** blendLanes's high half (its result is the low one). */
let mixHigh: v128 = ONE;

/**
 * The window's g, low half (high half in mixHigh): the gate (gated) or the channel's proportion
 * (mixed). Gated with a room (blend-dense.ts's keptGate, for output element `index`): `reading`
 * takes the gates the forward left there, else they are computed and left there.
 */
@inline
function blendLanes(block: usize, gated: bool, channel: i32, count: i32, index: usize, reading: bool): v128 {
  const lane = laneChannel(block, channel);
  if (gated) {
    const kept = keptGate(block, index);
    if (reading && kept != 0) {
      const gates = loadQuad(kept, count);
      mixHigh = high(gates);
      return low(gates);
    }
    const gate = gateLanes(block, windowStart + (<usize>channel << 2), lane, count);
    mixHigh = gateHigh;
    if (kept != 0) storeQuad(kept, narrow(gate, gateHigh), count); // float32 gates: exact
    return gate;
  }
  const proportions = loadQuad(pointer(block, CHANNEL_TABLE) + (<usize>lane << 2), count);
  mixHigh = high(proportions);
  return low(proportions);
}

/** g·max + (1 − g)·mean for one f64x2 half. */
@inline
function blendHalf(mix: v128, maximum: v128, mean: v128): v128 {
  return f64x2.add(f64x2.mul(mix, maximum), f64x2.mul(f64x2.sub(ONE, mix), mean));
}

/** Forward, output rows [firstUnit, endUnit). */
export function blendRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitWindows(block, firstUnit, endUnit, word(block, BLEND_MODE) != 0, blendWindow);
}

/** Every channel of the window begun last, whose output starts at element `index`: a dense window's whole quads at once. */
function blendWindow(block: usize, index: usize): void {
  let channel = windowDense ? blendDenseForward(block, index, word(block, BLEND_MODE) != 0) : 0;
  for (; channel < group; channel += 4) {
    setQuadChannel(channel);
    blendVisit(block, index + <usize>channel, min(4, group - channel));
  }
}

function blendVisit(block: usize, index: usize, count: i32): void {
  const mixLow = blendLanes(block, word(block, BLEND_MODE) != 0, quadChannel, count, index, false);
  windowStats(windowStart + (<usize>quadChannel << 2), count);
  const blended = narrow(blendHalf(mixLow, low(maxima), meansLow), blendHalf(mixHigh, high(maxima), meansHigh));
  storeQuad(pointer(block, OUTPUT) + (index << 2), blended, count);
}

/**
 * Backward, units [firstUnit, endUnit) (samples in NHWC, planes in NCHW): the input gradient, written
 * whole, in the reference's order, and each window's weight-gradient terms (mixed: ∂y/∂a = g_out·(max − mean);
 * gated: f = that times s(1 − s), and f·x_k per tap k) added to its planes' sums (plane-terms.ts).
 */
export function blendBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const gated = word(block, BLEND_MODE) != 0;
  clearUnitSums(block, firstUnit, endUnit, gated ? kernelTaps(block) : 1);
  visitClearedUnits(block, firstUnit, endUnit, gated, blendBackwardWindow);
}

/**
 * A backward's windows, outer units [firstUnit, endUnit), each unit's input gradient zeroed just before
 * its windows (in cache) rather than by the op beforehand: the kernel writes the gradient whole.
 */
export function visitClearedUnits(block: usize, firstUnit: i32, endUnit: i32, taps: bool, visit: WindowVisitor): void {
  const outerRows = rowsPerOuter(block);
  const unitBytes = <usize>spatialSize(block, IN_SIZE) * (<usize>groupOf(block) << 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    memory.fill(pointer(block, GRAD_INPUT) + <usize>unit * unitBytes, 0, unitBytes);
    visitWindows(block, unit * outerRows, (unit + 1) * outerRows, taps, visit);
  }
}

/** Every channel of the window begun last (its gradient from element `index`): a dense window's whole quads at once. */
function blendBackwardWindow(block: usize, index: usize): void {
  const gated = word(block, BLEND_MODE) != 0;
  let channel = 0;
  if (windowDense) channel = blendDenseBackward(block, index, gated, word(block, DISJOINT) != 0);
  for (; channel < group; channel += 4) blendWindowBackward(block, gated, quadColumn, channel);
}

function blendWindowBackward(block: usize, gated: bool, column: i32, channel: i32): void {
  const count = min(4, group - channel);
  if (windowCount == 0) return; // no terms (the reference's −0 factor adds nothing)
  const index = outStart + <usize>(column * group + channel);
  const gradient = loadQuad(pointer(block, GRAD_OUTPUT) + (index << 2), count);
  const gradientLow = low(gradient);
  const gradientHigh = high(gradient);
  const mixLow = blendLanes(block, gated, channel, count, index, true);
  const start = windowStart + (<usize>channel << 2);
  windowStats(start, count);
  let factorLow = f64x2.mul(gradientLow, f64x2.sub(low(maxima), meansLow));
  let factorHigh = f64x2.mul(gradientHigh, f64x2.sub(high(maxima), meansHigh));
  if (gated) {
    factorLow = f64x2.mul(f64x2.mul(factorLow, mixLow), f64x2.sub(ONE, mixLow));
    factorHigh = f64x2.mul(f64x2.mul(factorHigh, mixHigh), f64x2.sub(ONE, mixHigh));
  }
  if (!gated) addTerms(termSlot(block, 1, 0, channel), factorLow, factorHigh, count);
  const taps = kernelTaps(block);
  const divisor = f64x2.splat(<f64>windowCount);
  const shareLow = f64x2.div(f64x2.mul(f64x2.sub(ONE, mixLow), gradientLow), divisor);
  const shareHigh = f64x2.div(f64x2.mul(f64x2.sub(ONE, mixHigh), gradientHigh), divisor);
  const toMaxLow = f64x2.mul(mixLow, gradientLow);
  const toMaxHigh = f64x2.mul(mixHigh, gradientHigh);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const weights = weightColumn(block, laneChannel(block, channel));
  const step = tableStep(block);
  const best = maxIndex;
  // Disjoint windows: every cell's gradient starts at the +0 blendBackward zeroed, and mixed pooling
  // gives every cell the same share, so the two values a cell may get are formed once.
  const disjoint = word(block, DISJOINT) != 0;
  const sharedOnce = narrow(f64x2.add(ZERO, shareLow), f64x2.add(ZERO, shareHigh));
  const withMaxOnce = narrow(f64x2.add(low(sharedOnce), toMaxLow), f64x2.add(high(sharedOnce), toMaxHigh));
  const constant = disjoint && !gated;
  let slicePointer = start + toGradInput;
  let sliceIndex = windowTopLeft;
  let sliceTap = windowFirstTap;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells, sliceTap += tapSlice) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    let rowTap = sliceTap;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells, rowTap += tapRow) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells) {
        const isMax = i32x4.eq(best, i32x4.splat(tapIndex));
        if (constant) {
          storeQuad(tap, v128.bitselect(withMaxOnce, sharedOnce, isMax), count);
          continue;
        }
        let termLow = shareLow;
        let termHigh = shareHigh;
        if (gated) {
          const weight = loadQuad(weights + <usize>(rowTap + kx) * step, count);
          termLow = f64x2.add(shareLow, f64x2.mul(factorLow, low(weight)));
          termHigh = f64x2.add(shareHigh, f64x2.mul(factorHigh, high(weight)));
          const value = loadQuad(tap - toGradInput, count);
          const slot = termSlot(block, taps, rowTap + kx, channel);
          addTerms(slot, f64x2.mul(factorLow, low(value)), f64x2.mul(factorHigh, high(value)), count);
        }
        const old = disjoint ? f32x4.splat(0) : loadQuad(tap, count);
        const shared = narrow(f64x2.add(low(old), termLow), f64x2.add(high(old), termHigh));
        const withMax = narrow(f64x2.add(low(shared), toMaxLow), f64x2.add(high(shared), toMaxHigh));
        storeQuad(tap, v128.bitselect(withMax, shared, isMax), count);
      }
    }
  }
}
