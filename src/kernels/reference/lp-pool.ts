// Lp (power-average) pooling, reference: forward and backward side by side on the one window walk.
//
// Semantics, ONNX LpPool's definition: out = (Σ |x|^p)^(1/p) over each window's in-bounds cells,
// for any real p >= 1; padding contributes 0, and so does a window with no in-bounds cell.
// Gradient: ∂out/∂x = |x|^(p-1)·sign(x) / out^(p-1), and 0 wherever out = 0.
// Sums accumulate in float64, so |x|^p does not overflow float32 before the root is taken.
//
// PyTorch's lp_pool1d/lp_pool2d (1.13 has no lp_pool3d) compute
//   (sign(s)·relu(|s|) · kernelVolume)^(1/p) with s = avg_pool(x^p, padding 0),
// which differs from this definition in three places: x^p has no absolute value (negative inputs
// give a negative sum, hence NaN, for odd or fractional p); in ceil mode a window that overhangs
// the input is averaged over its in-bounds cells and then multiplied by the full kernel volume, so
// it is scaled by kernelVolume / inBounds; and there is no padding or dilation argument. Where the
// definitions agree (p = 2 or input >= 0, and no ceil-mode overhang) the results match PyTorch.
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { WindowCells } from './avg-pool.js';
import { walkPoolWindows, type WindowReducer } from './window-walk.js';

export function lpPoolForward(input: Float32Array, output: Float32Array, geometry: PoolGeometry, p: number): void {
  let sum = 0;
  const reducer: WindowReducer = {
    begin() {
      sum = 0;
    },
    visit(inputIndex) {
      sum += Math.pow(Math.abs(input[inputIndex]!), p);
    },
    finish(outputIndex) {
      output[outputIndex] = p === 1 ? sum : Math.pow(sum, 1 / p);
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
  const window = new WindowCells(geometry);
  const reducer: WindowReducer = {
    begin() {
      window.clear();
    },
    visit(inputIndex) {
      window.add(inputIndex);
    },
    finish(outputIndex) {
      const norm = output[outputIndex]!;
      if (norm === 0) return;
      // gradOutput / out^(p-1), shared by every cell of the window.
      const scale = gradOutput[outputIndex]! / Math.pow(norm, p - 1);
      for (let cell = 0; cell < window.count; cell++) {
        const inputIndex = window.indices[cell]!;
        const value = input[inputIndex]!;
        const local = Math.sign(value) * Math.pow(Math.abs(value), p - 1);
        gradInput[inputIndex] = gradInput[inputIndex]! + scale * local;
      }
    },
  };
  walkPoolWindows(geometry, reducer);
}
