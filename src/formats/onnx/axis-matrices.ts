// A separable linear map in ONNX: one (possibly complex) matrix per spatial axis, applied axis by axis
// with MatMul on the last axis and a Transpose that brings the next axis last, and the real part taken
// at the end. The kinds that filter in the frequency domain (spectral pooling, DiffStride) export so:
// their DFT, crop and inverse DFT along an axis are one constant matrix.
import type { OnnxExportCall } from './kind-hook.js';
import { transposeValues } from './layout.js';

/** out × in, row-major; `imaginary` null where the matrix is real. */
export interface AxisMatrix {
  readonly inSize: number;
  readonly outSize: number;
  readonly real: Float64Array;
  readonly imaginary: Float64Array | null;
}

interface ComplexValue {
  readonly real: string;
  readonly imaginary: string | null;
}

/** value · matrixᵀ along the last axis: the matrix written transposed ([in, out]) for MatMul. */
function multiply(call: OnnxExportCall, value: string, matrix: Float64Array, sizes: AxisMatrix): string {
  const transposed = transposeValues(Float32Array.from(matrix), [sizes.outSize, sizes.inSize], [1, 0]);
  const constant = call.graph.floats(`${call.owner}/axis_matrix`, transposed, [sizes.inSize, sizes.outSize]);
  return call.graph.apply('MatMul', [value, constant], {}, call.owner);
}

/** (a + ib)(R + iI)ᵀ along the last axis: the real and imaginary parts, with the parts that are zero left out. */
function complexStep(call: OnnxExportCall, value: ComplexValue, matrix: AxisMatrix, realOnly: boolean): ComplexValue {
  const { graph, owner } = call;
  const realReal = multiply(call, value.real, matrix.real, matrix);
  const imaginaryParts: string[] = [];
  let real = realReal;
  if (value.imaginary !== null) {
    if (!realOnly) imaginaryParts.push(multiply(call, value.imaginary, matrix.real, matrix));
    if (matrix.imaginary !== null) {
      const both = multiply(call, value.imaginary, matrix.imaginary, matrix);
      real = graph.apply('Sub', [realReal, both], {}, owner);
    }
  }
  if (realOnly) return { real, imaginary: null };
  if (matrix.imaginary !== null) imaginaryParts.push(multiply(call, value.real, matrix.imaginary, matrix));
  const imaginary =
    imaginaryParts.length === 0
      ? null
      : imaginaryParts.length === 1
        ? imaginaryParts[0]!
        : graph.apply('Add', imaginaryParts, {}, owner);
  return { real, imaginary };
}

/**
 * Re((M₁ ⊗ … ⊗ M_r) x) for `value` [batch, channels, ...spatial], `matrices` in spatial axis order.
 * Each step maps the last axis and moves it to the front of the spatial axes, so after every axis
 * the order is back: [batch, channels, ...out].
 */
export function applyAxisMatrices(call: OnnxExportCall, value: string, matrices: readonly AxisMatrix[]): string {
  const rank = matrices.length;
  const rotate = [0, 1, rank + 1, ...Array.from({ length: rank - 1 }, (_, axis) => axis + 2)];
  let current: ComplexValue = { real: value, imaginary: null };
  for (let axis = rank - 1; axis >= 0; axis--) {
    const mapped = complexStep(call, current, matrices[axis]!, axis === 0);
    const turn = (name: string) =>
      rank === 1 ? name : call.graph.apply('Transpose', [name], { perm: rotate }, call.owner);
    current = { real: turn(mapped.real), imaginary: mapped.imaginary === null ? null : turn(mapped.imaginary) };
  }
  return current.real;
}
