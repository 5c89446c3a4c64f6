// Average pooling forward (pooling and adaptive windows). Semantics of the reference
// (src/kernels/reference/avg-pool.ts, adaptive-pool.ts): the float32 sum of in-bounds cells from +0
// in window order, divided once by the float32 divisor (averageDivisor); an empty window gives 0.
// Same order and precision, so the results match bit for bit.
import { IN_SIZE, OUTPUT, OUT_SIZE, pointer, word } from './arguments';
import { divideLanes, exactReciprocal, zeroBytes } from './simd';
import { windowEntry } from './tables';
import {
  beginOutputRow, beginStackedRows, cellBytes, columnBytes, columnCells, group, inBase, outStart, rowBytes, rowCells,
  rows, rowsPadded, rowTopLeft, sliceBytes, slices, slicesPadded,
} from './walk';
import { averageDivisor } from './window';

/** Output rows [firstUnit, endUnit): see rows.ts. */
export function averagePoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  for (let unit = firstUnit; unit < endUnit; unit++) {
    if (unit + 1 < endUnit && beginStackedRows(block, unit)) averagePoolRowPair(block, unit++);
    else averagePoolRow(block, unit);
  }
}

/** Output rows `unit` and `unit + 1` of windows 3 taps high, begun by beginStackedRows: see max.ts. */
function averagePoolRowPair(block: usize, unit: i32): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const below = output + <usize>outWidth * cellBytes;
  const widthTable = windowEntry(block, 2, 0);
  for (let column = 0; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const columns = load<i32>(width, 4);
    const offset = <usize>column * cellBytes;
    if (columns == 0) {
      zeroBytes(output + offset, cellBytes);
      zeroBytes(below + offset, cellBytes);
      continue;
    }
    const divisor = <f32>averageDivisor(block, 3 * columns, slicesPadded * rowsPadded * load<i32>(width, 8));
    const start = inBase + <usize>(rowTopLeft + load<i32>(width)) * cellBytes;
    const done = columns == 3 ? averageWindows3x3Stacked(start, output + offset, below + offset, divisor) : 0;
    if (done == group) continue;
    averageWindow(start, output + offset, done, columns, divisor);
    averageWindow(start + 2 * rowBytes, below + offset, done, columns, divisor);
  }
}

function averagePoolRow(block: usize, unit: i32): void {
  beginOutputRow(block, unit);
  const output = pointer(block, OUTPUT) + (outStart << 2);
  const outWidth = word(block, OUT_SIZE + 2);
  const widthTable = windowEntry(block, 2, 0); // hoisted: the loop's stores would force reloads
  const dense = slices == 1 && rowCells == word(block, IN_SIZE + 2) && columnCells == 1;
  let column = 0;
  if (group == 1 && slices == 1 && rows == 2 && rowCells == word(block, IN_SIZE + 2)) {
    column = averageColumnsNchw2x2(block, output, widthTable, outWidth);
  }
  for (; column < outWidth; column++) {
    const width = widthTable + (<usize>column << 4);
    const columns = load<i32>(width, 4);
    const outPointer = output + <usize>column * cellBytes;
    const inBounds = slices * rows * columns;
    if (inBounds == 0) {
      zeroBytes(outPointer, cellBytes); // no in-bounds cell: 0, never 0/0
      continue;
    }
    const divisor = <f32>averageDivisor(block, inBounds, slicesPadded * rowsPadded * load<i32>(width, 8));
    const start = inBase + <usize>(rowTopLeft + load<i32>(width)) * cellBytes;
    let done = 0;
    if (dense && rows == 2 && columns == 2 && group >= 4) done = averageWindow2x2(start, outPointer, divisor);
    else if (dense && rows == 3 && columns == 3 && group >= 4) done = averageWindow3x3(start, outPointer, divisor);
    if (done < group) averageWindow(start, outPointer, done, columns, divisor);
  }
}

/** Sums divided by `divisor`, lane by lane. */
@inline
function quotient(sum: v128, divisor: f32): v128 {
  return divideLanes(sum, f32x4.splat(divisor), f32x4.splat(<f32>1 / divisor), exactReciprocal(divisor));
}

/**
 * channelsFirst, dense 2x2 windows at stride 2: four output columns at a time from eight input
 * columns of both rows, each lane with its own window's divisor; returns the first column not done.
 */
function averageColumnsNchw2x2(block: usize, output: usize, widthTable: usize, outWidth: i32): i32 {
  let column = 0;
  while (column + 4 <= outWidth && fourPairs(widthTable + (<usize>column << 4))) {
    const entry = widthTable + (<usize>column << 4);
    const top = inBase + (<usize>(rowTopLeft + load<i32>(entry)) << 2);
    const a = v128.load(top);
    const b = v128.load(top, 16);
    const c = v128.load(top + rowBytes);
    const d = v128.load(top + rowBytes, 16);
    // Window order per lane: top even, top odd, bottom even, bottom odd, from +0.
    const zero = f32x4.splat(0);
    const upper = f32x4.add(f32x4.add(zero, i32x4.shuffle(a, b, 0, 2, 4, 6)), i32x4.shuffle(a, b, 1, 3, 5, 7));
    const sum = f32x4.add(f32x4.add(upper, i32x4.shuffle(c, d, 0, 2, 4, 6)), i32x4.shuffle(c, d, 1, 3, 5, 7));
    const padded = slicesPadded * rowsPadded;
    const divisors = f32x4(
      <f32>averageDivisor(block, 4, padded * load<i32>(entry, 8)),
      <f32>averageDivisor(block, 4, padded * load<i32>(entry, 24)),
      <f32>averageDivisor(block, 4, padded * load<i32>(entry, 40)),
      <f32>averageDivisor(block, 4, padded * load<i32>(entry, 56)),
    );
    v128.store(output + (<usize>column << 2), f32x4.div(sum, divisors));
    column += 4;
  }
  return column;
}

/** Whether the four windows from this table entry are dense pairs at stride 2 (eight columns in a row). */
@inline
function fourPairs(entry: usize): bool {
  const start = load<i32>(entry);
  return (
    load<i32>(entry, 4) == 2 &&
    load<i32>(entry, 20) == 2 &&
    load<i32>(entry, 36) == 2 &&
    load<i32>(entry, 52) == 2 &&
    load<i32>(entry, 16) == start + 2 &&
    load<i32>(entry, 32) == start + 4 &&
    load<i32>(entry, 48) == start + 6 &&
    load<i32>(entry, 12) == 1
  );
}

/** A dense 2x2 window, four channels at a time; returns how many channels it did. */
@inline
function averageWindow2x2(start: usize, output: usize, divisor: f32): i32 {
  const p10 = start + rowBytes;
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    const a = v128.load(start + offset);
    const b = v128.load(start + step + offset);
    const c = v128.load(p10 + offset);
    const d = v128.load(p10 + step + offset);
    const sum = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.splat(0), a), b), c), d);
    v128.store(output + offset, quotient(sum, divisor));
  }
  return limit;
}

/** A dense 3x3 window, four channels at a time, row by row; returns how many channels it did. */
@inline
function averageWindow3x3(start: usize, output: usize, divisor: f32): i32 {
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    let tap = start + (<usize>channel << 2);
    let sum = f32x4.splat(0);
    for (let ky = 0; ky < 3; ky++, tap += rowBytes) {
      const a = v128.load(tap);
      const b = v128.load(tap + step);
      const c = v128.load(tap + step + step);
      sum = f32x4.add(f32x4.add(f32x4.add(sum, a), b), c);
    }
    v128.store(output + (<usize>channel << 2), quotient(sum, divisor));
  }
  return limit;
}

/** sum + the row of three taps from `tap`, `step` bytes apart, in order. */
@inline
function addRow(sum: v128, tap: usize, step: usize): v128 {
  return f32x4.add(f32x4.add(f32x4.add(sum, v128.load(tap)), v128.load(tap + step)), v128.load(tap + step + step));
}

/** Two dense 3x3 windows stacked at row stride 2, their shared middle row loaded once; returns channels done. */
@inline
function averageWindows3x3Stacked(start: usize, output: usize, below: usize, divisor: f32): i32 {
  const step = cellBytes;
  const limit = group & ~3;
  for (let channel = 0; channel < limit; channel += 4) {
    const offset = <usize>channel << 2;
    let tap = start + offset;
    let top = f32x4.splat(0);
    for (let ky = 0; ky < 2; ky++, tap += rowBytes) {
      top = addRow(top, tap, step);
    }
    const a = v128.load(tap);
    const b = v128.load(tap + step);
    const c = v128.load(tap + step + step);
    top = f32x4.add(f32x4.add(f32x4.add(top, a), b), c);
    let bottom = f32x4.add(f32x4.add(f32x4.add(f32x4.splat(0), a), b), c);
    tap += rowBytes;
    for (let ky = 0; ky < 2; ky++, tap += rowBytes) {
      bottom = addRow(bottom, tap, step);
    }
    v128.store(output + offset, quotient(top, divisor));
    v128.store(below + offset, quotient(bottom, divisor));
  }
  return limit;
}

/** Any non-empty window from its first in-bounds tap: channels [done, group), four then one at a time. */
function averageWindow(start: usize, output: usize, done: i32, columns: i32, divisor: f32): void {
  let channel = done;
  for (; channel + 4 <= group; channel += 4) {
    let sum = f32x4.splat(0);
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) sum = f32x4.add(sum, v128.load(tap));
      }
    }
    v128.store(output + (<usize>channel << 2), quotient(sum, divisor));
  }
  for (; channel < group; channel++) {
    let sum: f32 = 0;
    let slicePointer = start + (<usize>channel << 2);
    for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
      let rowPointer = slicePointer;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
        let tap = rowPointer;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes) sum += load<f32>(tap);
      }
    }
    store<f32>(output + (<usize>channel << 2), sum / divisor);
  }
}
