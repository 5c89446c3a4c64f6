// Average pooling, reference: forward and backward side by side, both on the one window walk.
// The backward reducer remembers each window's in-bounds cells, then spreads gradient / divisor.
//
// Semantics (PyTorch's CPU avg_pool for its options, TensorFlow's AVG for padding 'same'):
// - the sum runs over in-bounds cells only; padding adds 0 to the sum;
// - the divisor is divisorOverride when set; else, with countIncludePad, the number of window taps
//   inside [-padBefore, in + padAfter) on every axis (ceil-mode overhang past the padding never
//   counts); else the number of in-bounds taps;
// - a window with no in-bounds cell (possible only with dilation) outputs 0 and passes no gradient;
// - float32 arithmetic throughout, as PyTorch's CPU kernels (acc type float for float) and TensorFlow
//   do: the sum starts at +0 and rounds to float32 after each cell, in window order (row-major), then
//   divides by the divisor rounded to float32; backward, each share gradOutput / divisor rounds to
//   float32 and cells add shares in output order, each sum rounding to float32.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import type { AverageDivisor } from '../types.js';
import { walkPoolWindows, walkWindowCells, type WindowCounts, type WindowReducer } from './window-walk.js';

/** The number an average divides by; 0 only for an empty window without an override. */
export function averageDivisor(counts: WindowCounts, divisor: AverageDivisor): number {
  if (divisor.divisorOverride !== null) return divisor.divisorOverride;
  return divisor.countIncludePad ? counts.inPadded : counts.inBounds;
}

export function avgPoolForward(
  input: Float32Array,
  output: Float32Array,
  geometry: PoolGeometry,
  divisor: AverageDivisor,
): void {
  let sum = 0;
  const reducer: WindowReducer = {
    begin() {
      sum = 0;
    },
    visit(inputIndex) {
      sum = Math.fround(sum + input[inputIndex]!);
    },
    finish(outputIndex, counts) {
      // An empty window has sum 0; dividing 0 by a 0 count would give NaN, so it stays 0. Float32
      // operands divided in float64 and rounded give the float32 quotient (53 >= 2·24 + 2 bits).
      output[outputIndex] = counts.inBounds === 0 ? 0 : sum / Math.fround(averageDivisor(counts, divisor));
    },
  };
  walkPoolWindows(geometry, reducer);
}

/** Writes every element of gradInput (zeroing it first): Σ over windows of gradOutput / divisor, in float32. */
export function avgPoolBackward(
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: PoolGeometry,
  divisor: AverageDivisor,
): void {
  gradInput.fill(0);
  walkWindowCells(geometry, (outputIndex, cells, count, counts) => {
    if (counts.inBounds === 0) return;
    const share = Math.fround(gradOutput[outputIndex]! / Math.fround(averageDivisor(counts, divisor)));
    for (let cell = 0; cell < count; cell++) {
      const inputIndex = cells[cell]!;
      gradInput[inputIndex] = gradInput[inputIndex]! + share; // float32 operands: the store rounds the sum
    }
  });
}
