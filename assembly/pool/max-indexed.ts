// Max pooling's forward over any window with argmax (max.ts walks the rows; the rule is its header's):
// the spatial index of the chosen tap kept beside the running max, sixteen channels at a time.
import { takes } from './max-lanes';
import { cellBytes, columnBytes, columnCells, group, inBase, rowBytes, rowCells, rows, sliceBytes, sliceCells, slices } from './walk';

/**
 * Sixteen channels of maxWindowIndexed at once: four independent compare-and-select chains, so a
 * large window (adaptive and pyramid pooling) is not bound by one chain's latency; each lane sees
 * its taps in the same order (the same values and indices).
 */
@inline
function maxWindowIndexed16(output: usize, argmax: usize, start: usize, sliceCount: i32, topLeft: i32, columns: i32): void {
  let best0 = f32x4.splat(-Infinity);
  let best1 = best0;
  let best2 = best0;
  let best3 = best0;
  let index0 = i32x4.splat(topLeft);
  let index1 = index0;
  let index2 = index0;
  let index3 = index0;
  let slicePointer = start;
  let sliceIndex = topLeft;
  for (let kz = 0; kz < sliceCount; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
    let rowPointer = slicePointer;
    let rowIndex = sliceIndex;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
      let tap = rowPointer;
      let tapIndex = rowIndex;
      for (let kx = 0; kx < columns; kx++, tap += columnBytes, tapIndex += columnCells) {
        const at = i32x4.splat(tapIndex);
        const value0 = v128.load(tap);
        const value1 = v128.load(tap, 16);
        const value2 = v128.load(tap, 32);
        const value3 = v128.load(tap, 48);
        const take0 = takes(value0, best0);
        const take1 = takes(value1, best1);
        const take2 = takes(value2, best2);
        const take3 = takes(value3, best3);
        best0 = v128.bitselect(value0, best0, take0);
        best1 = v128.bitselect(value1, best1, take1);
        best2 = v128.bitselect(value2, best2, take2);
        best3 = v128.bitselect(value3, best3, take3);
        index0 = v128.bitselect(at, index0, take0);
        index1 = v128.bitselect(at, index1, take1);
        index2 = v128.bitselect(at, index2, take2);
        index3 = v128.bitselect(at, index3, take3);
      }
    }
  }
  v128.store(output, best0);
  v128.store(output, best1, 16);
  v128.store(output, best2, 32);
  v128.store(output, best3, 48);
  v128.store(argmax, index0);
  v128.store(argmax, index1, 16);
  v128.store(argmax, index2, 32);
  v128.store(argmax, index3, 48);
}

/** Any window, with argmax: as max.ts's maxWindow, tracking the spatial index of the chosen tap. */
export function maxWindowIndexed(output: usize, argmax: usize, done: i32, topLeft: i32, columns: i32): void {
  const start = inBase + <usize>max(topLeft, 0) * cellBytes;
  const sliceCount = topLeft < 0 ? 0 : slices;
  let channel = done;
  for (; channel + 16 <= group; channel += 16) {
    const offset = <usize>channel << 2;
    maxWindowIndexed16(output + offset, argmax + offset, start + offset, sliceCount, topLeft, columns);
  }
  for (; channel + 4 <= group; channel += 4) {
    let best = f32x4.splat(-Infinity);
    let index = i32x4.splat(topLeft);
    let slicePointer = start + (<usize>channel << 2);
    let sliceIndex = topLeft;
    for (let kz = 0; kz < sliceCount; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
      let rowPointer = slicePointer;
      let rowIndex = sliceIndex;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
        let tap = rowPointer;
        let tapIndex = rowIndex;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes, tapIndex += columnCells) {
          const value = v128.load(tap);
          const take = takes(value, best);
          best = v128.bitselect(value, best, take);
          index = v128.bitselect(i32x4.splat(tapIndex), index, take);
        }
      }
    }
    v128.store(output + (<usize>channel << 2), best);
    v128.store(argmax + (<usize>channel << 2), index);
  }
  for (; channel < group; channel++) {
    let best: f32 = -Infinity;
    let index = topLeft;
    let slicePointer = start + (<usize>channel << 2);
    let sliceIndex = topLeft;
    for (let kz = 0; kz < sliceCount; kz++, slicePointer += sliceBytes, sliceIndex += sliceCells) {
      let rowPointer = slicePointer;
      let rowIndex = sliceIndex;
      for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes, rowIndex += rowCells) {
        let tap = rowPointer;
        let tapIndex = rowIndex;
        for (let kx = 0; kx < columns; kx++, tap += columnBytes, tapIndex += columnCells) {
          const value = load<f32>(tap);
          if (value > best || value != value) {
            best = value;
            index = tapIndex;
          }
        }
      }
    }
    store<f32>(output + (<usize>channel << 2), best);
    store<i32>(argmax + (<usize>channel << 2), index);
  }
}
