// Random pooling (src/kernels/reference/extra/random-pool.ts): training takes in-bounds cell
// min(n − 1, ⌊u·n⌋) of each window (u the output element's counter-based draw, draws.ts);
// inference is the in-bounds mean, a float64 sum in window order over n, and its backward adds
// g/n (float64) to each in-bounds cell. The same arithmetic as the reference: bit for bit.
import { ARGMAX, GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, pointer } from '../../pool/arguments';
import {
  cellBytes, columnBytes, columnCells, group, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { beginDraws, drawsHigh, drawUniforms } from './draws';
import { high, loadQuad, low, narrow, storeQuad, ZERO } from './lanes';
import {
  denseWindow2x2, visitOuters, visitRows, visitWindows, windowColumns, windowCount, windowStart, windowTopLeft,
} from './window';

/** Training forward, output rows [firstUnit, endUnit): the drawn cell's value and spatial index. */
export function randomDrawRows(block: usize, firstUnit: i32, endUnit: i32): void {
  beginDraws(block);
  visitWindows(block, firstUnit, endUnit, false, randomWindow);
}

/** Every channel of the window begun last, whose output starts at element `index`. */
function randomWindow(block: usize, index: usize): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const chosen = pointer(block, ARGMAX) + (index << 2);
  let channel = denseWindow2x2(block) ? pickWindow2x2(output, chosen, index) : 0;
  for (; channel < group; channel += 4) {
    const offset = <usize>channel << 2;
    const count = min(4, group - channel);
    if (windowCount == 0) {
      storeQuad(output + offset, f32x4.splat(0), count);
      storeQuad(chosen + offset, i32x4.splat(-1), count);
    } else {
      pickQuad(windowStart + offset, output + offset, chosen + offset, index + <usize>channel, count);
    }
  }
}

/** Cell min(n − 1, ⌊u·n⌋) of each lane's window of n cells, u the draws of output elements `draws`..+3. */
@inline
function drawnPositions(draws: usize, cells: i32): v128 {
  const scale = f64x2.splat(<f64>cells);
  const drawLow = f64x2.mul(drawUniforms(draws), scale);
  const drawHigh = f64x2.mul(drawsHigh, scale);
  // ⌊draw·n⌋ (draw·n ≥ 0, so truncation), at most n − 1
  const drawn = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(drawLow), i32x4.trunc_sat_f64x2_s_zero(drawHigh), 0, 1, 4, 5);
  return i32x4.min_s(drawn, i32x4.splat(cells - 1));
}

/** A dense 2x2 window (window.ts's denseWindow2x2), four channels at a time; returns how many channels it did. */
@inline
function pickWindow2x2(output: usize, chosen: usize, draws: usize): i32 {
  const p00 = windowStart;
  const p10 = p00 + rowBytes;
  const step = cellBytes;
  const topLeft = i32x4.splat(windowTopLeft);
  const offsets = i32x4(0, 1, rowCells, rowCells + 1);
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const position = drawnPositions(draws + <usize>channel, 4);
    let value = v128.load(p00 + offset);
    value = v128.bitselect(v128.load(p00 + step + offset), value, i32x4.eq(position, i32x4.splat(1)));
    value = v128.bitselect(v128.load(p10 + offset), value, i32x4.eq(position, i32x4.splat(2)));
    value = v128.bitselect(v128.load(p10 + step + offset), value, i32x4.eq(position, i32x4.splat(3)));
    v128.store(output + offset, value);
    v128.store(chosen + offset, i32x4.add(topLeft, i8x16.swizzle(offsets, i32x4.add(i32x4.mul(position, i32x4.splat(0x04040404)), i32x4.splat(0x03020100)))));
  }
  return limit;
}

@inline
function pickQuad(start: usize, output: usize, chosen: usize, draws: usize, count: i32): void {
  const position = drawnPositions(draws, windowCount);
  let value = f32x4.splat(0);
  let index = i32x4.splat(-1);
  let at = 0;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes, tapIndex += columnCells, at++) {
        const here = i32x4.eq(position, i32x4.splat(at));
        value = v128.bitselect(loadQuad(tap, count), value, here);
        index = v128.bitselect(i32x4.splat(tapIndex), index, here);
      }
    }
  }
  storeQuad(output, value, count);
  storeQuad(chosen, index, count);
}

/** Inference forward, output rows [firstUnit, endUnit): the in-bounds mean, 0 for an empty window. */
export function inBoundsAverageRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitRows(block, firstUnit, endUnit, false, averageVisit);
}

function averageVisit(block: usize, start: usize, index: usize, count: i32): void {
  let sumLow = ZERO;
  let sumHigh = ZERO;
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes) {
        const value = loadQuad(tap, count);
        sumLow = f64x2.add(sumLow, low(value));
        sumHigh = f64x2.add(sumHigh, high(value));
      }
    }
  }
  const cells = f64x2.splat(<f64>windowCount);
  const mean = windowCount == 0 ? f32x4.splat(0) : narrow(f64x2.div(sumLow, cells), f64x2.div(sumHigh, cells));
  storeQuad(pointer(block, OUTPUT) + (index << 2), mean, count);
}

/** Inference backward, units [firstUnit, endUnit) (samples in NHWC, planes in NCHW): g/n to each in-bounds cell. */
export function inBoundsAverageBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  visitOuters(block, firstUnit, endUnit, false, spreadVisit);
}

function spreadVisit(block: usize, start: usize, index: usize, count: i32): void {
  const cells = f64x2.splat(<f64>windowCount);
  const gradient = loadQuad(pointer(block, GRAD_OUTPUT) + (index << 2), count);
  const shareLow = f64x2.div(low(gradient), cells);
  const shareHigh = f64x2.div(high(gradient), cells);
  let slicePointer = start + pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes) {
        const old = loadQuad(tap, count);
        storeQuad(tap, narrow(f64x2.add(low(old), shareLow), f64x2.add(high(old), shareHigh)), count);
      }
    }
  }
}
