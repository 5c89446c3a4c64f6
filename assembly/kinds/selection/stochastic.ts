// Stochastic pooling (src/kernels/reference/extra/stochastic-pool.ts), forward rows: training (one
// cell drawn per window from the draws the TypeScript side made in output order) and inference
// (Σ a⁺² / Σ a⁺). Float64 sums in window order, as the reference, so the results match bit for bit.
import { ARGMAX, OUTPUT, pointer } from '../../pool/arguments';
import { columnBytes, columnCells, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices } from '../../pool/walk';
import { high, highDoubles, loadDoubles, loadQuad, low, narrow, narrowMask, storeQuad, ZERO } from './lanes';
import { nanOf } from '../../pool/max-lanes';
import { DRAWS, visitRows, windowColumns, windowCount, windowTopLeft } from './window';

const ZERO_SINGLE: v128 = f32x4.splat(0);

/** Training forward, output rows [firstUnit, endUnit): output a⁺ of the drawn cell, chosen its spatial index. */
export function stochasticDrawRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitRows(block, firstUnit, endUnit, false, drawVisit);
}

function drawVisit(block: usize, start: usize, index: usize, count: i32): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const chosen = pointer(block, ARGMAX) + (index << 2);
  if (windowCount == 0) {
    storeQuad(output, ZERO_SINGLE, count);
    storeQuad(chosen, i32x4.splat(-1), count);
    return;
  }
  drawQuad(start, output, chosen, pointer(block, DRAWS) + (index << 3), count);
}

// sumWindow's results: Σ a⁺ in two halves, and the first NaN cell of each lane.
let totalLow: v128 = ZERO;
let totalHigh: v128 = ZERO;
let nanFound: v128 = ZERO;
let nanIndex: v128 = ZERO;

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
function drawQuad(start: usize, output: usize, chosen: usize, draws: usize, count: i32): void {
  sumWindow(start, count);
  const targetLow = f64x2.mul(loadDoubles(draws, count), totalLow);
  const targetHigh = f64x2.mul(highDoubles, totalHigh);
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
