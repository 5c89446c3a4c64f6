// The two walks of the weighted kinds' kernels. Forward (and the backward's statistics pass): output
// rows, each window visited four channels at a time (then one at a time for the rest). Gather (the
// backward's second pass): input rows, each cell visiting the windows that hold it in output order,
// as lp-backward.ts does, so no two threads write one cell and no zeroing pass runs.
import { ADAPTIVE, CHANNELS_LAST, DILATION, GRAD_INPUT, IN_SIZE, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { groupOf, outer, row, rowOf, rowStart, slice, spatialSize } from '../../pool/rows';
import { zeroBytes } from '../../pool/simd';
import { holderEntry, windowEntry } from '../../pool/tables';
import { beginOutputRow, cellBytes, group, inBase, outStart, rows, rowTopLeft, slices } from '../../pool/walk';
import { holds } from '../../pool/window';

/** The output row being walked (per instance, so per thread). */
export let currentUnit: i32 = 0;

/**
 * One window, all its channels: `start` is the window's first in-bounds tap of channel 0 (any
 * address for a window of no tap, `columns` then 0), `outIndex` the output element of channel 0.
 */
export type WindowVisit = (block: usize, start: usize, outIndex: usize, columns: i32) => void;

/** Visits every window of output rows [firstUnit, endUnit). */
export function walkOutputRows(block: usize, firstUnit: i32, endUnit: i32, visit: WindowVisit): void {
  for (let unit = firstUnit; unit < endUnit; unit++) {
    currentUnit = unit;
    beginOutputRow(block, unit);
    const outWidth = word(block, OUT_SIZE + 2);
    const widthTable = windowEntry(block, 2, 0);
    for (let column = 0; column < outWidth; column++) {
      const width = widthTable + (<usize>column << 4);
      const columns = slices && rows ? load<i32>(width, 4) : 0;
      const topLeft: i32 = columns ? rowTopLeft + load<i32>(width) : 0;
      visit(block, inBase + <usize>topLeft * cellBytes, outStart + <usize>column * <usize>group, columns);
    }
  }
}

/** One (cell, window) pair, all the cell's channels (`cellGroup` of them), by element index of channel 0. */
export type ShareVisit = (block: usize, inIndex: usize, outIndex: usize, cellGroup: i32) => void;

/** Zeroes each cell's gradient in input rows [firstUnit, endUnit), then visits the windows holding it. */
export function walkInputRows(block: usize, firstUnit: i32, endUnit: i32, visit: ShareVisit): void {
  const adaptive = word(block, ADAPTIVE) != 0;
  const dilated = !adaptive && (word(block, DILATION) > 1 || word(block, DILATION + 1) > 1);
  const checkWidth = !adaptive && word(block, DILATION + 2) > 1;
  const outWidth = word(block, OUT_SIZE + 2);
  const gradInput = pointer(block, GRAD_INPUT);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    rowOf(block, unit, IN_SIZE);
    const cellGroup = groupOf(block);
    const outPlane = <usize>outer * <usize>spatialSize(block, OUT_SIZE);
    const inRow = rowStart(block, IN_SIZE);
    const z = slice;
    const y = row;
    const zHolders = holderEntry(block, 0, z);
    const yHolders = holderEntry(block, 1, y);
    const inWidth = word(block, IN_SIZE + 2);
    for (let x = 0; x < inWidth; x++) {
      const inIndex = inRow + <usize>x * <usize>cellGroup;
      zeroBytes(gradInput + (inIndex << 2), <usize>cellGroup << 2);
      const xHolders = holderEntry(block, 2, x);
      for (let outSlice = load<i32>(zHolders); outSlice <= load<i32>(zHolders, 4); outSlice++) {
        if (dilated && !holds(block, 0, outSlice, z)) continue;
        for (let outRow = load<i32>(yHolders); outRow <= load<i32>(yHolders, 4); outRow++) {
          if (dilated && !holds(block, 1, outRow, y)) continue;
          const outRowStart = outPlane + <usize>((outSlice * word(block, OUT_SIZE + 1) + outRow) * outWidth);
          for (let outColumn = load<i32>(xHolders); outColumn <= load<i32>(xHolders, 4); outColumn++) {
            if (checkWidth && !holds(block, 2, outColumn, x)) continue;
            visit(block, inIndex, (outRowStart + <usize>outColumn) * <usize>cellGroup, cellGroup);
          }
        }
      }
    }
  }
}

/** Whether the tensors are channels-last (a cell's channels side by side). */
@inline
export function channelsLast(block: usize): bool {
  return word(block, CHANNELS_LAST) != 0;
}
