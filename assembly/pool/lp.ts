// Lp pooling forward: (Σ |x|^p)^(1/p) over each window's in-bounds cells (reference lp-pool.ts),
// summed in float64 in window order. p = 1 and p = 2 run four channels at a time (|x| and x·x are
// exact in float64, so they match the reference's Math.pow bit for bit); other p go through pow.
import { IN_SIZE, OUTPUT, OUT_SIZE, P_BYTES, pointer, word } from './arguments';
import { highPair, joinPairs, lowPair } from './simd';
import { windowEntry } from './tables';
import {
  beginOutputRow, cellBytes, columnBytes, columnCells, group, inBase, outStart, rowBytes, rowCells, rows, rowTopLeft,
  sliceBytes, slices,
} from './walk';

/** Output rows [firstUnit, endUnit): see rows.ts. */
export function lpPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) lpPoolRow(block, unit);
}

function lpPoolRow(block: usize, unit: i32): void {
  beginOutputRow(block, unit);
  const p = load<f64>(block + P_BYTES);
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const outWidth = word(block, OUT_SIZE + 2);
  const widthTable = windowEntry(block, 2, 0); // hoisted: the loop's stores would force reloads
  const dense = slices == 1 && rowCells == word(block, IN_SIZE + 2) && columnCells == 1 && p == 2 && group >= 4;
  for (let column = 0; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const columns = slices && rows ? load<i32>(width, 4) : 0;
    const outPointer = output + <usize>column * cellBytes;
    const topLeft: i32 = columns ? rowTopLeft + load<i32>(width) : 0;
    const start = inBase + <usize>topLeft * cellBytes;
    let done = 0;
    if (dense && rows == 2 && columns == 2) done = euclideanWindow2x2(start, outPointer);
    else if (dense && rows == 3 && columns == 3) done = euclideanWindow3x3(start, outPointer);
    else if (group >= 4 && (p == 1 || p == 2)) done = lpWindowVectors(start, outPointer, columns, p == 2);
    if (done < group) lpWindow(start, outPointer, done, columns, p);
  }
}

/** Σ of squares of two float64 pairs' worth of lanes, added in order to `sum`. */
@inline
function addSquares(sum: v128, pair: v128): v128 {
  return f64x2.add(sum, f64x2.mul(pair, pair));
}

/** p = 2 over a dense 2x2 window, four channels at a time; returns how many channels it did. */
@inline
function euclideanWindow2x2(start: usize, output: usize): i32 {
  const p10 = start + rowBytes;
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(start + offset);
    const b = v128.load(start + step + offset);
    const c = v128.load(p10 + offset);
    const d = v128.load(p10 + step + offset);
    const zero = f64x2.splat(0);
    const low = addSquares(addSquares(addSquares(addSquares(zero, lowPair(a)), lowPair(b)), lowPair(c)), lowPair(d));
    const high = addSquares(addSquares(addSquares(addSquares(zero, highPair(a)), highPair(b)), highPair(c)), highPair(d));
    v128.store(output + offset, joinPairs(f64x2.sqrt(low), f64x2.sqrt(high)));
  }
  return limit;
}

/** p = 2 over a dense 3x3 window, four channels at a time, row by row; returns how many channels it did. */
@inline
function euclideanWindow3x3(start: usize, output: usize): i32 {
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    let tap = start + (<usize>channel << 2);
    let low = f64x2.splat(0);
    let high = f64x2.splat(0);
    for (let ky = 0; ky < 3; ky++, tap += rowBytes) {
      const a = v128.load(tap);
      const b = v128.load(tap + step);
      const c = v128.load(tap + step + step);
      low = addSquares(addSquares(addSquares(low, lowPair(a)), lowPair(b)), lowPair(c));
      high = addSquares(addSquares(addSquares(high, highPair(a)), highPair(b)), highPair(c));
    }
    v128.store(output + (<usize>channel << 2), joinPairs(f64x2.sqrt(low), f64x2.sqrt(high)));
  }
  return limit;
}

/** p = 1 or 2, four channels at a time; returns how many channels it did. */
function lpWindowVectors(start: usize, output: usize, columns: i32, squares: bool): i32 {
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    let low = f64x2.splat(0);
    let high = f64x2.splat(0);
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = v128.load(tap);
          const a = lowPair(value);
          const b = highPair(value);
          low = f64x2.add(low, squares ? f64x2.mul(a, a) : f64x2.abs(a));
          high = f64x2.add(high, squares ? f64x2.mul(b, b) : f64x2.abs(b));
        }
      }
    }
    if (squares) {
      low = f64x2.sqrt(low);
      high = f64x2.sqrt(high);
    }
    v128.store(output + (<usize>channel << 2), joinPairs(low, high));
  }
  return limit;
}

/** Channels [done, group), one at a time, any p. */
function lpWindow(start: usize, output: usize, done: i32, columns: i32, p: f64): void {
  for (let channel = done; channel < group; channel++) {
    let sum: f64 = 0;
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) sum += powerOf(<f64>load<f32>(tap), p);
      }
    }
    const norm = p == 1 ? sum : p == 2 ? Math.sqrt(sum) : Math.pow(sum, 1 / p);
    store<f32>(output + (<usize>channel << 2), <f32>norm);
  }
}

/** |x|^p, exact for p = 1 and 2. */
@inline
function powerOf(value: f64, p: f64): f64 {
  const magnitude = Math.abs(value);
  return p == 1 ? magnitude : p == 2 ? value * value : Math.pow(magnitude, p);
}
