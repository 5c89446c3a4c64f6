// The reference layout kernel: a batched 2D transpose (each [rows, columns] plane to [columns, rows]),
// the specification assembly/train/transpose.ts is tested against. Words are moved through Int32Array
// views, so every bit pattern (NaN payloads, −0) arrives unchanged.
import type { LayoutKernels } from '../types.js';

/** The same bytes as 32-bit integers: float reads could canonicalize a NaN's payload. */
function wordsOf(array: Float32Array | Int32Array): Int32Array {
  return array instanceof Int32Array ? array : new Int32Array(array.buffer, array.byteOffset, array.length);
}

export const referenceLayoutKernels: LayoutKernels = {
  transposePlanes(source, target, { batch, rows, columns }) {
    const [from, to] = [wordsOf(source), wordsOf(target)];
    const plane = rows * columns;
    for (let first = 0; first < batch * plane; first += plane) {
      for (let row = 0; row < rows; row++) {
        for (let column = 0; column < columns; column++) {
          to[first + column * rows + row] = from[first + row * columns + column]!;
        }
      }
    }
  },
};
