// Stochastic pooling backward (src/kernels/reference/extra/stochastic-pool.ts). A unit is a sample
// in NHWC or a plane in NCHW, whose windows are walked in output order, so every input cell
// receives its float64 terms in the reference's order and no two threads touch one cell.
import { ARGMAX, GRAD_INPUT, GRAD_OUTPUT, INPUT, IN_SIZE, OUT_SIZE, pointer } from '../../pool/arguments';
import { groupOf, spatialSize } from '../../pool/rows';
import { columnBytes, rowBytes, rows, sliceBytes, slices } from '../../pool/walk';
import { high, loadQuad, low, narrow, narrowMask, storeQuad, ZERO } from './lanes';
import { clampedSums, squaresHigh, squaresLow, sumsHigh, sumsLow } from './stochastic';
import { visitOuters, windowColumns } from './window';

/** Training backward, units [firstUnit, endUnit): gradOutput to the chosen cell unless it is negative or NaN. */
export function stochasticDrawBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  const unitGroup = <usize>groupOf(block);
  const cellBytes = unitGroup << 2;
  const outCells = <usize>spatialSize(block, OUT_SIZE);
  const inBytes = <usize>spatialSize(block, IN_SIZE) * cellBytes;
  const chosen = pointer(block, ARGMAX);
  const gradOutput = pointer(block, GRAD_OUTPUT);
  for (let unit = firstUnit; unit < endUnit; unit++) {
    const input = pointer(block, INPUT) + <usize>unit * inBytes;
    const gradInput = pointer(block, GRAD_INPUT) + <usize>unit * inBytes;
    let index = <usize>unit * outCells * unitGroup;
    // Output cells, then their channels: output order, with no division per element.
    for (let cell: usize = 0; cell < outCells; cell++) {
      for (let channel: usize = 0; channel < unitGroup; channel++, index++) {
        const target = load<i32>(chosen + (index << 2));
        if (target < 0) continue;
        const offset = <usize>target * cellBytes + (channel << 2);
        // Branch-free: whether a ReLU output is negative is a coin toss to the branch predictor. The
        // select is on the bits (an integer select is a cmov; V8 may branch on a float one).
        const old = load<f32>(gradInput + offset);
        const added = old + load<f32>(gradOutput + (index << 2));
        const kept = select<i32>(reinterpret<i32>(added), reinterpret<i32>(old), load<f32>(input + offset) >= 0);
        store<i32>(gradInput + offset, kept);
      }
    }
  }
}

/** Inference backward, units [firstUnit, endUnit): (2a·S − Q)/S² to each cell with a ≥ 0; S = 0: all to cell 0. */
export function stochasticExpectBackward(block: usize, firstUnit: i32, endUnit: i32): void {
  visitOuters(block, firstUnit, endUnit, false, expectBackwardVisit);
}

function expectBackwardVisit(block: usize, start: usize, index: usize, count: i32): void {
  clampedSums(start, count);
  const toGradInput = pointer(block, GRAD_INPUT) - pointer(block, INPUT);
  spreadQuad(start, toGradInput, loadQuad(pointer(block, GRAD_OUTPUT) + (index << 2), count), count);
}

/** (g·(2a·S − Q))/S² in the reference's order, for one f64x2 half. */
@inline
function shareOf(gradient: v128, value: v128, sum: v128, squares: v128): v128 {
  const twice = f64x2.mul(f64x2.splat(2), value);
  return f64x2.div(f64x2.mul(gradient, f64x2.sub(f64x2.mul(twice, sum), squares)), f64x2.mul(sum, sum));
}

/** One window's inference gradient, `count` channels, after clampedSums. */
function spreadQuad(start: usize, toGradInput: usize, gradient: v128, count: i32): void {
  const zeroLow = f64x2.eq(sumsLow, ZERO);
  const zeroHigh = f64x2.eq(sumsHigh, ZERO);
  const zeroSum = narrowMask(zeroLow, zeroHigh);
  const gradientLow = low(gradient);
  const gradientHigh = high(gradient);
  const columns = windowColumns;
  const columnStep = columnBytes;
  const rowStep = rowBytes;
  let firstTap = i32x4.splat(-1);
  let slicePointer = start;
  for (let kz = 0; kz < slices; kz++, slicePointer += sliceBytes) {
    let rowPointer = slicePointer;
    for (let ky = 0; ky < rows; ky++, rowPointer += rowStep) {
      let tap = rowPointer;
      for (let kx = 0; kx < columns; kx++, tap += columnStep) {
        const value = loadQuad(tap, count);
        const shareLow = shareOf(gradientLow, low(value), sumsLow, squaresLow);
        const shareHigh = shareOf(gradientHigh, high(value), sumsHigh, squaresHigh);
        const termLow = v128.bitselect(gradientLow, shareLow, zeroLow);
        const termHigh = v128.bitselect(gradientHigh, shareHigh, zeroHigh);
        const apply = v128.and(f32x4.ge(value, f32x4.splat(0)), v128.or(v128.not(zeroSum), firstTap));
        const old = loadQuad(tap + toGradInput, count);
        const sum = narrow(f64x2.add(low(old), termLow), f64x2.add(high(old), termHigh));
        storeQuad(tap + toGradInput, v128.bitselect(sum, old, apply), count);
        firstTap = i32x4.splat(0);
      }
    }
  }
}
