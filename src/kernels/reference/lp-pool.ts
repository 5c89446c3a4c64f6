// Lp (power-average) pooling, reference: forward and backward side by side on the one window walk.
//
// Semantics, ONNX LpPool's definition: out = (Σ |x|^p)^(1/p) over each window's in-bounds cells,
// for any real p >= 1; padding contributes 0, and so does a window with no in-bounds cell.
// Gradient: ∂out/∂x = |x|^(p-1)·sign(x) / out^(p-1), and 0 wherever out = 0.
// Float32 arithmetic, as PyTorch's lp_pool (avg_pool of x^p, in float32): each |x|^p is computed in
// float64 and rounded to float32 (exact for p = 1; x·x rounded once for p = 2), the sum starts at +0
// and rounds after each cell in window order, and the root (float64 pow; sqrt exactly for p = 2) rounds
// once. Hence |x|^p overflows to Infinity past float32's range (|x| > 1.8e19 for p = 2), as in
// PyTorch. Backward rounds out^(p-1), the scale gradOutput / out^(p-1), sign(x)·|x|^(p-1), their
// product and each running sum to float32 (for p = 2 the term is (gradOutput / out)·x).
//
// PyTorch's lp_pool1d/lp_pool2d (1.13 has no lp_pool3d) compute
//   (sign(s)·relu(|s|) · kernelVolume)^(1/p) with s = avg_pool(x^p, padding 0),
// which differs from this definition in three places: x^p has no absolute value (negative inputs
// give a negative sum, hence NaN, for odd or fractional p); in ceil mode a window that overhangs
// the input is averaged over its in-bounds cells and then multiplied by the full kernel volume, so
// it is scaled by kernelVolume / inBounds; and there is no padding or dilation argument. Where the
// definitions agree (p = 2 or input >= 0, and no ceil-mode overhang) the results match PyTorch.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { walkPoolWindows, walkWindowCells, type WindowReducer } from './window-walk.js';

export function lpPoolForward(input: Float32Array, output: Float32Array, geometry: PoolGeometry, p: number): void {
  let sum = 0;
  const reducer: WindowReducer = {
    begin() {
      sum = 0;
    },
    visit(inputIndex) {
      sum = Math.fround(sum + Math.fround(Math.pow(Math.abs(input[inputIndex]!), p)));
    },
    finish(outputIndex) {
      output[outputIndex] = p === 1 ? sum : Math.pow(sum, 1 / p); // the store rounds the root
    },
  };
  walkPoolWindows(geometry, reducer);
}

/** Writes every element of gradInput (zeroing it first), from the forward's input and output. */
export function lpPoolBackward(
  input: Float32Array,
  output: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: PoolGeometry,
  p: number,
): void {
  gradInput.fill(0);
  walkWindowCells(geometry, (outputIndex, cells, count) => {
    const norm = output[outputIndex]!;
    if (norm === 0) return;
    // gradOutput / out^(p-1), shared by every cell of the window.
    const scale = Math.fround(gradOutput[outputIndex]! / Math.fround(Math.pow(norm, p - 1)));
    for (let cell = 0; cell < count; cell++) {
      const inputIndex = cells[cell]!;
      const value = input[inputIndex]!;
      const local = Math.fround(Math.sign(value) * Math.pow(Math.abs(value), p - 1));
      gradInput[inputIndex] = gradInput[inputIndex]! + Math.fround(scale * local); // the store rounds
    }
  });
}
