// Random pooling (src/kernels/reference/extra/random-pool.ts): training takes in-bounds cell
// min(n − 1, ⌊draw·n⌋) of each window (draws made by the TypeScript side in output order);
// inference is the in-bounds mean, a float64 sum in window order over n, and its backward adds
// g/n (float64) to each in-bounds cell. The same arithmetic as the reference: bit for bit.
import { ARGMAX, GRAD_INPUT, GRAD_OUTPUT, INPUT, OUTPUT, pointer } from '../../pool/arguments';
import { columnBytes, columnCells, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices } from '../../pool/walk';
import { high, highDoubles, loadDoubles, loadQuad, low, narrow, storeQuad, ZERO } from './lanes';
import { DRAWS, visitOuters, visitRows, windowColumns, windowCount, windowTopLeft } from './window';

/** Training forward, output rows [firstUnit, endUnit): the drawn cell's value and spatial index. */
export function randomDrawRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitRows(block, firstUnit, endUnit, false, randomVisit);
}

function randomVisit(block: usize, start: usize, index: usize, count: i32): void {
  const output = pointer(block, OUTPUT) + (index << 2);
  const chosen = pointer(block, ARGMAX) + (index << 2);
  if (windowCount == 0) {
    storeQuad(output, f32x4.splat(0), count);
    storeQuad(chosen, i32x4.splat(-1), count);
    return;
  }
  pickQuad(start, output, chosen, pointer(block, DRAWS) + (index << 3), count);
}

function pickQuad(start: usize, output: usize, chosen: usize, draws: usize, count: i32): void {
  const cells = f64x2.splat(<f64>windowCount);
  const drawLow = f64x2.mul(loadDoubles(draws, count), cells);
  const drawHigh = f64x2.mul(highDoubles, cells);
  // ⌊draw·n⌋ (draw·n ≥ 0, so truncation), at most n − 1
  const drawn = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(drawLow), i32x4.trunc_sat_f64x2_s_zero(drawHigh), 0, 1, 4, 5);
  const position = i32x4.min_s(drawn, i32x4.splat(windowCount - 1));
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
