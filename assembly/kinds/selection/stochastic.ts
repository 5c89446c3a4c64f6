// Stochastic pooling (src/kernels/reference/extra/stochastic-pool.ts), forward rows: training (one
// cell drawn per window from the draws the TypeScript side made in output order) and inference
// (Σ a⁺² / Σ a⁺). Float64 sums in window order, as the reference, so the results match bit for bit.
import { ARGMAX, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { windowEntry } from '../../pool/tables';
import {
  beginOutputRow, columnBytes, columnCells, group, outStart, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { loadDoubles, loadLanes, nanLanes, storeIndices, storeLanes, ZERO } from './lanes';
import { beginWindow, DRAWS, windowColumns, windowCount, windowStart, windowTopLeft } from './window';

/** Training forward, output rows [firstUnit, endUnit): output a⁺ of the drawn cell, chosen its spatial index. */
export function stochasticDrawRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const output = pointer(block, OUTPUT);
  const chosen = pointer(block, ARGMAX);
  const draws = pointer(block, DRAWS);
  const outWidth = word(block, OUT_SIZE + 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    beginOutputRow(block, unit);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++) {
      beginWindow(block, widthTable, column, false);
      const first = outStart + <usize>(column * group);
      for (let channel = 0; channel < group; channel += 2) {
        const index = first + <usize>channel;
        const pair = channel + 1 < group;
        const tap = windowStart + (<usize>channel << 2);
        drawLanes(tap, output + (index << 2), chosen + (index << 2), loadDoubles(draws + (index << 3), pair), pair);
      }
    }
  }
}

// drawLanes's pass over the window: Σ a⁺, and the first NaN cell of each lane.
let total: v128 = ZERO;
let nanFound: v128 = ZERO;
let nanIndex: v128 = ZERO;

function sumWindow(start: usize, pair: bool): void {
  total = ZERO;
  nanFound = ZERO;
  nanIndex = ZERO;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells) {
        const value = loadLanes(tap, pair);
        const nan = nanLanes(value);
        nanIndex = v128.bitselect(i64x2.splat(tapIndex), nanIndex, v128.andnot(nan, nanFound));
        nanFound = v128.or(nanFound, nan);
        total = f64x2.add(total, f64x2.max(value, ZERO)); // f64x2.max is Math.max: NaN, and +0 over -0
      }
    }
  }
}

/**
 * One window, one or two channels: the first cell whose running Σ a⁺ passes draw·Σ a⁺ (else the
 * last positive one); cell 0 when Σ a⁺ = 0; the first NaN cell when the window holds NaN.
 */
function drawLanes(start: usize, output: usize, chosen: usize, draw: v128, pair: bool): void {
  if (windowCount == 0) {
    storeLanes(output, ZERO, pair);
    storeIndices(chosen, i64x2.splat(-1), pair);
    return;
  }
  sumWindow(start, pair);
  const target = f64x2.mul(draw, total);
  let running = ZERO;
  let found = ZERO;
  let foundIndex = i64x2.splat(windowTopLeft);
  let foundValue = ZERO;
  let lastIndex = foundIndex;
  let lastValue = ZERO;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells) {
        const value = f64x2.max(loadLanes(tap, pair), ZERO);
        const positive = f64x2.gt(value, ZERO);
        const index = i64x2.splat(tapIndex);
        running = f64x2.add(running, value); // + 0 where not positive: the reference skips those
        lastIndex = v128.bitselect(index, lastIndex, positive);
        lastValue = v128.bitselect(value, lastValue, positive);
        const hit = v128.andnot(v128.and(positive, f64x2.gt(running, target)), found);
        foundIndex = v128.bitselect(index, foundIndex, hit);
        foundValue = v128.bitselect(value, foundValue, hit);
        found = v128.or(found, hit);
      }
    }
  }
  let index = v128.bitselect(foundIndex, lastIndex, found);
  let value = v128.bitselect(foundValue, lastValue, found);
  const empty = f64x2.eq(total, ZERO); // cell 0, whose a⁺ is 0
  index = v128.bitselect(i64x2.splat(windowTopLeft), index, empty);
  value = v128.bitselect(ZERO, value, empty);
  index = v128.bitselect(nanIndex, index, nanFound);
  value = v128.bitselect(f64x2.splat(NaN), value, nanFound);
  storeLanes(output, value, pair);
  storeIndices(chosen, index, pair);
}

/** Inference forward, output rows [firstUnit, endUnit): Σ a⁺² / Σ a⁺, 0 where Σ a⁺ = 0. */
export function stochasticExpectRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const output = pointer(block, OUTPUT);
  const outWidth = word(block, OUT_SIZE + 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    beginOutputRow(block, unit);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++) {
      beginWindow(block, widthTable, column, false);
      const first = outStart + <usize>(column * group);
      for (let channel = 0; channel < group; channel += 2) {
        const pair = channel + 1 < group;
        clampedSums(windowStart + (<usize>channel << 2), pair);
        const ratio = v128.bitselect(ZERO, f64x2.div(squares, sums), f64x2.eq(sums, ZERO));
        storeLanes(output + ((first + <usize>channel) << 2), ratio, pair);
      }
    }
  }
}

// clampedSums's results: Σ a⁺ and Σ a⁺² of the window, in window order.
export let sums: v128 = ZERO;
export let squares: v128 = ZERO;

export function clampedSums(start: usize, pair: bool): void {
  let sum = ZERO;
  let square = ZERO;
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes) {
        const value = f64x2.max(loadLanes(tap, pair), ZERO);
        sum = f64x2.add(sum, value);
        square = f64x2.add(square, f64x2.mul(value, value));
      }
    }
  }
  sums = sum;
  squares = square;
}

