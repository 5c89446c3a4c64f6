// Min pooling forward (src/pooling/kinds/min.ts), with optional argmin: a tap replaces the running
// min when smaller or NaN (so the last NaN wins, as max pooling's rule mirrored), the first of tied
// minima wins, an empty window gives +Infinity and -1. Float32 compare-and-select: exact.
import { ARGMAX, OUTPUT, pointer } from '../../pool/arguments';
import { columnBytes, columnCells, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices } from '../../pool/walk';
import { loadQuad, storeQuad } from './lanes';
import { nanOf } from '../../pool/max-lanes';
import { visitRows, windowColumns, windowCount, windowTopLeft } from './window';

/** Output rows [firstUnit, endUnit): see assembly/pool/rows.ts. */
export function minPoolRows(block: usize, firstUnit: i32, endUnit: i32): void {
  visitRows(block, firstUnit, endUnit, false, minVisit);
}

function minVisit(block: usize, start: usize, index: usize, count: i32): void {
  const argmin = pointer(block, ARGMAX);
  minQuad(start, pointer(block, OUTPUT) + (index << 2), argmin ? argmin + (index << 2) : 0, count);
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
