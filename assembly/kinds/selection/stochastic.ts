// Stochastic pooling (src/kernels/reference/extra/stochastic-pool.ts), forward rows: training (one
// cell drawn per window from the output element's counter-based draw, draws.ts) and inference
// (Σ a⁺² / Σ a⁺). Float64 sums in window order, as the reference, so the results match bit for bit.
import { ARGMAX, OUTPUT, pointer } from '../../pool/arguments';
import {
  cellBytes, columnBytes, columnCells, group, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { beginDraws, drawBits, drawsHigh, drawUniforms, uniformHalf } from './draws';
import { high, loadQuad, low, narrow, narrowMask, storeQuad, ZERO } from './lanes';
import { nanOf } from '../../pool/max-lanes';
import { denseWindow2x2, visitRows, visitWindows, windowColumns, windowCount, windowStart, windowTopLeft } from './window';

const ZERO_SINGLE: v128 = f32x4.splat(0);

/** Training forward, output rows [firstUnit, endUnit): output a⁺ of the drawn cell, chosen its spatial index. */
export function stochasticDrawRows(block: usize, firstUnit: i32, endUnit: i32): void {
  beginDraws(block);
  visitWindows(block, firstUnit, endUnit, false, drawWindow);
}

/** Every channel of the window begun last, whose output starts at element `index`. */
function drawWindow(block: usize, index: usize): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const chosen = pointer(block, ARGMAX) + (index << 2);
  let channel = denseWindow2x2(block) ? drawWindow2x2(output, chosen, index) : 0;
  for (; channel < group; channel += 4) {
    const offset = <usize>channel << 2;
    const count = min(4, group - channel);
    if (windowCount == 0) {
      storeQuad(output + offset, ZERO_SINGLE, count);
      storeQuad(chosen + offset, i32x4.splat(-1), count);
    } else {
      drawQuad(windowStart + offset, output + offset, chosen + offset, index + <usize>channel, count);
    }
  }
}

/** Lanes where a positive tap's running Σ a⁺ (two f64 halves, the tap's own added) passes the target. */
@inline
function passes(positive: v128, runningLow: v128, runningHigh: v128, targetLow: v128, targetHigh: v128): v128 {
  return v128.and(positive, narrowMask(f64x2.gt(runningLow, targetLow), f64x2.gt(runningHigh, targetHigh)));
}

/**
 * A dense 2x2 window (window.ts's denseWindow2x2), four channels at a time, in registers: drawQuad's
 * sums and rule over its four cells in straight-line code (the running sums are the total's own
 * partial sums, in the same order). Returns how many channels it did.
 */
@inline
function drawWindow2x2(output: usize, chosen: usize, draws: usize): i32 {
  const p00 = windowStart;
  const p10 = p00 + rowBytes;
  const step = cellBytes;
  const first = windowTopLeft;
  const i00 = i32x4.splat(first);
  const i01 = i32x4.splat(first + 1);
  const i10 = i32x4.splat(first + rowCells);
  const i11 = i32x4.splat(first + rowCells + 1);
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    // a⁺ = x < 0 ? 0 : x (one maxps; f32x4.max's NaN rule costs several): NaN stays; it keeps −0
    // where Math.max(x, 0) gives +0, which changes nothing: +0 + −0 is +0 in the sums, and a
    // cell's a⁺ is output only where it is positive.
    const a = f32x4.pmax(v128.load(p00 + offset), ZERO_SINGLE);
    const b = f32x4.pmax(v128.load(p00 + step + offset), ZERO_SINGLE);
    const c = f32x4.pmax(v128.load(p10 + offset), ZERO_SINGLE);
    const d = f32x4.pmax(v128.load(p10 + step + offset), ZERO_SINGLE);
    const lowA = f64x2.add(ZERO, low(a));
    const lowB = f64x2.add(lowA, low(b));
    const lowC = f64x2.add(lowB, low(c));
    const totalLow = f64x2.add(lowC, low(d));
    const highA = f64x2.add(ZERO, high(a));
    const highB = f64x2.add(highA, high(b));
    const highC = f64x2.add(highB, high(c));
    const totalHigh = f64x2.add(highC, high(d));
    const bits = drawBits(draws + <usize>channel);
    const targetLow = f64x2.mul(uniformHalf(bits, false), totalLow);
    const targetHigh = f64x2.mul(uniformHalf(bits, true), totalHigh);
    const positiveA = f32x4.gt(a, ZERO_SINGLE);
    const positiveB = f32x4.gt(b, ZERO_SINGLE);
    const positiveC = f32x4.gt(c, ZERO_SINGLE);
    const positiveD = f32x4.gt(d, ZERO_SINGLE);
    const hitA = passes(positiveA, lowA, highA, targetLow, targetHigh);
    const hitB = passes(positiveB, lowB, highB, targetLow, targetHigh);
    const hitC = passes(positiveC, lowC, highC, targetLow, targetHigh);
    const hitD = passes(positiveD, totalLow, totalHigh, targetLow, targetHigh);
    // The last positive cell (cell 0 and 0 if none), then the hits from the last to the first: the first hit wins.
    let value = v128.bitselect(a, ZERO_SINGLE, positiveA);
    let index = i00;
    value = v128.bitselect(b, value, positiveB);
    index = v128.bitselect(i01, index, positiveB);
    value = v128.bitselect(c, value, positiveC);
    index = v128.bitselect(i10, index, positiveC);
    value = v128.bitselect(d, value, positiveD);
    index = v128.bitselect(i11, index, positiveD);
    value = v128.bitselect(d, value, hitD);
    index = v128.bitselect(i11, index, hitD);
    value = v128.bitselect(c, value, hitC);
    index = v128.bitselect(i10, index, hitC);
    value = v128.bitselect(b, value, hitB);
    index = v128.bitselect(i01, index, hitB);
    value = v128.bitselect(a, value, hitA);
    index = v128.bitselect(i00, index, hitA);
    const empty = narrowMask(f64x2.eq(totalLow, ZERO), f64x2.eq(totalHigh, ZERO)); // cell 0, whose a⁺ is 0
    index = v128.bitselect(i00, index, empty);
    value = v128.bitselect(ZERO_SINGLE, value, empty);
    let nanIndex = i11;
    nanIndex = v128.bitselect(i10, nanIndex, nanOf(c));
    nanIndex = v128.bitselect(i01, nanIndex, nanOf(b));
    nanIndex = v128.bitselect(i00, nanIndex, nanOf(a));
    const nan = v128.or(v128.or(nanOf(a), nanOf(b)), v128.or(nanOf(c), nanOf(d)));
    v128.store(output + offset, v128.bitselect(f32x4.splat(NaN), value, nan));
    v128.store(chosen + offset, v128.bitselect(nanIndex, index, nan));
  }
  return limit;
}

// sumWindow's results: Σ a⁺ in two halves, and the first NaN cell of each lane.
let totalLow: v128 = ZERO;
let totalHigh: v128 = ZERO;
let nanFound: v128 = ZERO;
let nanIndex: v128 = ZERO;

@inline
function sumWindow(start: usize, count: i32): void {
  let sumLow = ZERO;
  let sumHigh = ZERO;
  let found = ZERO;
  let foundIndex = ZERO;
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  const sliceStep = sliceBytes;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceStep, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < columns; kx++, tap += columnStep, tapIndex += columnCells) {
        const value = loadQuad(tap, count);
        const nan = nanOf(value);
        foundIndex = v128.bitselect(i32x4.splat(tapIndex), foundIndex, v128.andnot(nan, found));
        found = v128.or(found, nan);
        const clamped = f32x4.max(value, ZERO_SINGLE); // Math.max(a, 0): NaN stays, +0 over -0
        sumLow = f64x2.add(sumLow, low(clamped));
        sumHigh = f64x2.add(sumHigh, high(clamped));
      }
    }
  }
  totalLow = sumLow;
  totalHigh = sumHigh;
  nanFound = found;
  nanIndex = foundIndex;
}

/**
 * One window, `count` channels: the first cell whose running Σ a⁺ passes draw·Σ a⁺ (else the last
 * positive one); cell 0 when Σ a⁺ = 0; the first NaN cell when the window holds NaN.
 */
@inline
function drawQuad(start: usize, output: usize, chosen: usize, draws: usize, count: i32): void {
  sumWindow(start, count);
  const targetLow = f64x2.mul(drawUniforms(draws), totalLow);
  const targetHigh = f64x2.mul(drawsHigh, totalHigh);
  let runningLow = ZERO;
  let runningHigh = ZERO;
  let found = ZERO;
  let foundIndex = i32x4.splat(windowTopLeft);
  let foundValue = ZERO_SINGLE;
  let lastIndex = foundIndex;
  let lastValue = ZERO_SINGLE;
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  const sliceStep = sliceBytes;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceStep, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < columns; kx++, tap += columnStep, tapIndex += columnCells) {
        const value = f32x4.max(loadQuad(tap, count), ZERO_SINGLE);
        const positive = f32x4.gt(value, ZERO_SINGLE);
        const index = i32x4.splat(tapIndex);
        runningLow = f64x2.add(runningLow, low(value)); // + 0 where not positive: the reference skips those
        runningHigh = f64x2.add(runningHigh, high(value));
        lastIndex = v128.bitselect(index, lastIndex, positive);
        lastValue = v128.bitselect(value, lastValue, positive);
        const passed = narrowMask(f64x2.gt(runningLow, targetLow), f64x2.gt(runningHigh, targetHigh));
        const hit = v128.andnot(v128.and(positive, passed), found);
        foundIndex = v128.bitselect(index, foundIndex, hit);
        foundValue = v128.bitselect(value, foundValue, hit);
        found = v128.or(found, hit);
      }
    }
  }
  let index = v128.bitselect(foundIndex, lastIndex, found);
  let value = v128.bitselect(foundValue, lastValue, found);
  const empty = narrowMask(f64x2.eq(totalLow, ZERO), f64x2.eq(totalHigh, ZERO)); // cell 0, whose a⁺ is 0
  index = v128.bitselect(i32x4.splat(windowTopLeft), index, empty);
  value = v128.bitselect(ZERO_SINGLE, value, empty);
  storeQuad(output, v128.bitselect(f32x4.splat(NaN), value, nanFound), count);
  storeQuad(chosen, v128.bitselect(nanIndex, index, nanFound), count);
}

/** Inference forward, output rows [firstUnit, endUnit): Σ a⁺² / Σ a⁺, 0 where Σ a⁺ = 0. */
export function stochasticExpectRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitRows(block, firstUnit, endUnit, false, expectVisit);
}

function expectVisit(block: usize, start: usize, index: usize, count: i32): void {
  clampedSums(start, count);
  const ratioLow = v128.bitselect(ZERO, f64x2.div(squaresLow, sumsLow), f64x2.eq(sumsLow, ZERO));
  const ratioHigh = v128.bitselect(ZERO, f64x2.div(squaresHigh, sumsHigh), f64x2.eq(sumsHigh, ZERO));
  storeQuad(pointer(block, OUTPUT) + (index << 2), narrow(ratioLow, ratioHigh), count);
}

// clampedSums's results: Σ a⁺ and Σ a⁺² of the window in window order, in two halves.
export let sumsLow: v128 = ZERO;
export let sumsHigh: v128 = ZERO;
export let squaresLow: v128 = ZERO;
export let squaresHigh: v128 = ZERO;

export function clampedSums(start: usize, count: i32): void {
  let sumLow = ZERO;
  let sumHigh = ZERO;
  let squareLow = ZERO;
  let squareHigh = ZERO;
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  const sliceStep = sliceBytes;
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceStep) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnStep) {
        const value = f32x4.max(loadQuad(tap, count), ZERO_SINGLE);
        const valueLow = low(value);
        const valueHigh = high(value);
        sumLow = f64x2.add(sumLow, valueLow);
        sumHigh = f64x2.add(sumHigh, valueHigh);
        squareLow = f64x2.add(squareLow, f64x2.mul(valueLow, valueLow));
        squareHigh = f64x2.add(squareHigh, f64x2.mul(valueHigh, valueHigh));
      }
    }
  }
  sumsLow = sumLow;
  sumsHigh = sumHigh;
  squaresLow = squareLow;
  squaresHigh = squareHigh;
}
