// Stochastic pooling backward (src/kernels/reference/extra/stochastic-pool.ts). A unit is a sample
// in NHWC or a plane in NCHW, whose windows are walked in output order, so every input cell
// receives its float64 terms in the reference's order and no two threads touch one cell.
import { ARGMAX, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUT_SIZE, pointer, word } from '../../pool/arguments';
import { groupOf, spatialSize } from '../../pool/rows';
import { windowEntry } from '../../pool/tables';
import {
  beginOutputRow, columnBytes, group, outStart, rowBytes, rows, sliceBytes, slices,
} from '../../pool/walk';
import { loadLanes, storeLanes, ZERO } from './lanes';
import { clampedSums, squares, sums } from './stochastic';
import { beginWindow, rowsPerOuter, windowColumns, windowStart } from './window';

/** Training backward, units [firstUnit, endUnit): gradOutput to the chosen cell unless it is negative or NaN. */
export function stochasticDrawBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const unitGroup = groupOf(block);
  const cellBytes = <usize>unitGroup << 2;
  const outElements = <usize>spatialSize(block, OUT_SIZE) * <usize>unitGroup;
  const inBytes = <usize>spatialSize(block, IN_SIZE) * cellBytes;
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const input = pointer(block, INPUT) + <usize>unit * inBytes;
    const gradInput = pointer(block, GRAD_INPUT) + <usize>unit * inBytes;
    const firstOutput = <usize>unit * outElements;
    for (let element: usize = 0; element < outElements; element++) {
      const index = firstOutput + element;
      const target = load<i32>(pointer(block, ARGMAX) + (index << 2));
      if (target < 0) continue;
      const offset = <usize>target * cellBytes + ((element % <usize>unitGroup) << 2);
      if (!(load<f32>(input + offset) >= 0)) continue;
      const gradient = load<f32>(pointer(block, GRAD_OUTPUT) + (index << 2));
      store<f32>(gradInput + offset, load<f32>(gradInput + offset) + gradient);
    }
  }
}

/** Inference backward, units [firstUnit, endUnit): (2a·S − Q)/S² to each cell with a ≥ 0; S = 0: all to cell 0. */
export function stochasticExpectBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const outWidth = word(block, OUT_SIZE + 2);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  const gradOutput = pointer(block, GRAD_OUTPUT);
  const outerRows = rowsPerOuter(block);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    for (let rowUnit = unit * outerRows; rowUnit < (unit + 1) * outerRows; rowUnit++) {
      beginOutputRow(block, rowUnit);
      const widthTable = windowEntry(block, 2, 0);
      for (let column = 0; column < outWidth; column++) {
        beginWindow(block, widthTable, column, false);
        const first = outStart + <usize>(column * group);
        for (let channel = 0; channel < group; channel += 2) {
          const pair = channel + 1 < group;
          const start = windowStart + (<usize>channel << 2);
          clampedSums(start, pair);
          spreadLanes(start, toGradInput, loadLanes(gradOutput + ((first + <usize>channel) << 2), pair), pair);
        }
      }
    }
  }
}

/** One window's inference gradient, one or two channels, after clampedSums. */
function spreadLanes(start: usize, toGradInput: usize, gradient: v128, pair: bool): void {
  const zeroSum = f64x2.eq(sums, ZERO);
  const scale = f64x2.mul(sums, sums);
  const twice = f64x2.splat(2);
  let firstTap = i64x2.splat(-1);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowBytes) {
      let tap = rowPointer;
      for (let kx = 0; kx < windowColumns; kx++, tap += columnBytes) {
        const value = loadLanes(tap, pair);
        const share = f64x2.div(f64x2.mul(gradient, f64x2.sub(f64x2.mul(f64x2.mul(twice, value), sums), squares)), scale);
        const term = v128.bitselect(gradient, share, zeroSum);
        const apply = v128.and(f64x2.ge(value, ZERO), v128.or(v128.not(zeroSum), firstTap));
        const old = loadLanes(tap + toGradInput, pair);
        storeLanes(tap + toGradInput, v128.bitselect(f64x2.add(old, term), old, apply), pair);
        firstTap = ZERO;
      }
    }
  }
}
