// Matrix product, reference: out = op(a)·op(b) (or out += with accumulate), row-major, summed in
// double precision so it serves as the specification the WebAssembly kernel is tested against.
import type { MatmulOptions } from '../types.js';

export function matmul(a: Float32Array, b: Float32Array, out: Float32Array, options: MatmulOptions): void {
  const { m, k, n, transposeA, transposeB, accumulate } = options;
  // Element strides of op(a) (row, inner) and op(b) (inner, column) in their stored layouts.
  const aRow = transposeA ? 1 : k;
  const aInner = transposeA ? m : 1;
  const bInner = transposeB ? 1 : n;
  const bColumn = transposeB ? k : 1;
  const sums = new Float64Array(n);
  for (let row = 0; row < m; row++) {
    for (let column = 0; column < n; column++) sums[column] = accumulate ? out[row * n + column]! : 0;
    // Row-by-inner-by-column order keeps b's rows streaming when b is not transposed.
    for (let inner = 0; inner < k; inner++) {
      const value = a[row * aRow + inner * aInner]!;
      const bBase = inner * bInner;
      for (let column = 0; column < n; column++) sums[column]! += value * b[bBase + column * bColumn]!;
    }
    for (let column = 0; column < n; column++) out[row * n + column] = sums[column]!;
  }
}
