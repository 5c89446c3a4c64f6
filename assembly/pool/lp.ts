// Lp pooling forward: (Σ |x|^p)^(1/p) over each window's in-bounds cells (reference lp-pool.ts):
// float32 terms summed from +0 in float32 in window order, then the root rounded to float32.
// p = 1 and p = 2 run four channels at a time (|x| is exact, x·x rounds once, and the float32 sqrt
// equals the reference's float64 root rounded, so they match bit for bit); other p go through pow.
import { IN_SIZE, OUTPUT, OUT_SIZE, P_BYTES, pointer, word } from './arguments';
import { windowEntry } from './tables';
import {
  beginOutputRow, beginStackedRows, cellBytes, columnBytes, columnCells, group, inBase, outStart, rowBytes, rowCells,
  rows, rowTopLeft, sliceBytes, slices,
} from './walk';

/** Output rows [firstUnit, endUnit): see rows.ts. */
export function lpPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const euclidean = load<f64>(block + P_BYTES) == 2;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    if (euclidean && unit + 1 < endUnit && beginStackedRows(block, unit)) euclideanRowPair(block, unit++);
    else lpPoolRow(block, unit);
  }
}

/** p = 2 over output rows `unit` and `unit + 1` of windows 3 taps high, begun by beginStackedRows: see max.ts. */
function euclideanRowPair(block: usize, unit: i32): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const below = output + <usize>outWidth * cellBytes;
  const widthTable = windowEntry(block, 2, 0);
  for (let column = 0; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const columns = load<i32>(width, 4);
    const offset = <usize>column * cellBytes;
    const start = inBase + <usize>(columns ? rowTopLeft + load<i32>(width) : 0) * cellBytes;
    const lower = start + 2 * rowBytes;
    let done = columns == 3 ? euclideanWindows3x3Stacked(start, output + offset, below + offset) : 0;
    if (done == group) continue;
    if (done == 0) {
      done = lpWindowVectors(start, output + offset, columns, true);
      lpWindowVectors(lower, below + offset, columns, true);
    }
    lpWindow(start, output + offset, done, columns, 2);
    lpWindow(lower, below + offset, done, columns, 2);
  }
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
    const sum = addSquare(addSquare(addSquare(addSquare(f32x4.splat(0), a), b), c), d);
    v128.store(output + offset, f32x4.sqrt(sum));
  }
  return limit;
}

/** sum + x·x, lane by lane, rounding the square and the sum to float32 as the reference does. */
@inline
function addSquare(sum: v128, value: v128): v128 {
  return f32x4.add(sum, f32x4.mul(value, value));
}

/** p = 2 over a dense 3x3 window, four channels at a time, row by row; returns how many channels it did. */
@inline
function euclideanWindow3x3(start: usize, output: usize): i32 {
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    let tap = start + (<usize>channel << 2);
    let sum = f32x4.splat(0);
    for (let ky = 0; ky < 3; ky++, tap += rowBytes) {
      sum = addSquare(addSquare(addSquare(sum, v128.load(tap)), v128.load(tap + step)), v128.load(tap + step + step));
    }
    v128.store(output + (<usize>channel << 2), f32x4.sqrt(sum));
  }
  return limit;
}

/** sum + the squares of the row of three taps from `tap`, `step` bytes apart, in order. */
@inline
function addRowSquares(sum: v128, tap: usize, step: usize): v128 {
  return addSquare(addSquare(addSquare(sum, v128.load(tap)), v128.load(tap + step)), v128.load(tap + step + step));
}

/** p = 2 over two dense 3x3 windows stacked at row stride 2, their shared middle row loaded once. */
@inline
function euclideanWindows3x3Stacked(start: usize, output: usize, below: usize): i32 {
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    let tap = start + offset;
    let top = f32x4.splat(0);
    for (let ky = 0; ky < 2; ky++, tap += rowBytes) {
      top = addRowSquares(top, tap, step);
    }
    const a = v128.load(tap);
    const b = v128.load(tap + step);
    const c = v128.load(tap + step + step);
    top = addSquare(addSquare(addSquare(top, a), b), c);
    let bottom = addSquare(addSquare(addSquare(f32x4.splat(0), a), b), c);
    tap += rowBytes;
    for (let ky = 0; ky < 2; ky++, tap += rowBytes) {
      bottom = addRowSquares(bottom, tap, step);
    }
    v128.store(output + offset, f32x4.sqrt(top));
    v128.store(below + offset, f32x4.sqrt(bottom));
  }
  return limit;
}

/** p = 1 or 2, four channels at a time; returns how many channels it did. */
function lpWindowVectors(start: usize, output: usize, columns: i32, squares: bool): i32 {
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    let sum = f32x4.splat(0);
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) {
          const value = v128.load(tap);
          sum = squares ? addSquare(sum, value) : f32x4.add(sum, f32x4.abs(value));
        }
      }
    }
    v128.store(output + (<usize>channel << 2), squares ? f32x4.sqrt(sum) : sum);
  }
  return limit;
}

/** Channels [done, group), one at a time, any p. */
function lpWindow(start: usize, output: usize, done: i32, columns: i32, p: f64): void {
  for (let channel = done; channel < group; channel++) {
    let sum: f32 = 0;
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) sum += powerOf(load<f32>(tap), p);
      }
    }
    const norm: f32 = p == 1 ? sum : p == 2 ? Mathf.sqrt(sum) : <f32>Math.pow(<f64>sum, 1 / p);
    store<f32>(output + (<usize>channel << 2), norm);
  }
}

/** |x|^p rounded to float32: exact for p = 1, one rounding of x·x for p = 2. */
@inline
function powerOf(value: f32, p: f64): f32 {
  const magnitude = Mathf.abs(value);
  return p == 1 ? magnitude : p == 2 ? value * value : <f32>Math.pow(<f64>magnitude, p);
}
