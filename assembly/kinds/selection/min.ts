// Min pooling forward (src/pooling/kinds/min.ts), with optional argmin: a tap replaces the running
// min when smaller or NaN (so the last NaN wins, as max pooling's rule mirrored), the first of tied
// minima wins, an empty window gives +Infinity and -1. Float32 compare-and-select: exact.
import { ARGMAX, OUTPUT, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { windowEntry } from '../../pool/tables';
import {
  beginOutputRow, columnBytes, columnCells, group, outStart, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices,
} from '../../pool/walk';
import { loadQuad, storeQuad } from './lanes';
import { nanOf } from '../../pool/max-lanes';
import { beginWindow, windowColumns, windowCount, windowStart, windowTopLeft } from './window';

/** Output rows [firstUnit, endUnit): see assembly/pool/rows.ts. */
export function minPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  const output = pointer(block, OUTPUT);
  const argmin = pointer(block, ARGMAX);
  const outWidth = word(block, OUT_SIZE + 2);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    beginOutputRow(block, unit);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++) {
      beginWindow(block, widthTable, column, false);
      const first = outStart + <usize>(column * group);
      for (let channel = 0; channel < group; channel += 4) {
        const count = min(4, group - channel);
        const offset = (first + <usize>channel) << 2;
        minQuad(windowStart + (<usize>channel << 2), output + offset, argmin ? argmin + offset : 0, count);
      }
    }
  }
}

function minQuad(start: usize, output: usize, argmin: usize, count: i32): void {
  let best = f32x4.splat(Infinity);
  let index = i32x4.splat(windowCount ? windowTopLeft : -1);
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  let slicePointer = start;
  let sliceIndex = windowTopLeft;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < columns; kx++, tap += columnStep, tapIndex += columnCells) {
        const value = loadQuad(tap, count);
        const take = v128.or(f32x4.lt(value, best), nanOf(value));
        best = v128.bitselect(value, best, take);
        index = v128.bitselect(i32x4.splat(tapIndex), index, take);
      }
    }
  }
  storeQuad(output, best, count);
  if (argmin) storeQuad(argmin, index, count);
}
