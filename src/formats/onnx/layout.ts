// Axis orders between poolkit's tensors and ONNX's values. ONNX's convolutions and pools read
// [batch, channels, ...spatial]; poolkit layers are channelsLast by default. A value remembers the
// permutation `perm` with onnx value = transpose(poolkit tensor, perm), so Transposes are written
// only where a layer needs another order, and a run of channels-first layers needs none between them.

/** The permutation of an unchanged order. */
export function identity(rank: number): number[] {
  return Array.from({ length: rank }, (_, axis) => axis);
}

/** A channelsLast tensor [batch, ...spatial, channels] read channels first: [0, rank − 1, 1, ..., rank − 2]. */
export function channelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...identity(rank - 1).slice(1)];
}

/** The permutation that turns an ONNX value of order `from` into order `to` (both relative to poolkit's tensor). */
export function transposeBetween(from: readonly number[], to: readonly number[]): number[] {
  return to.map((axis) => from.indexOf(axis));
}

/** Order after an ONNX Transpose(perm) of a value of order `from`. */
export function afterTranspose(from: readonly number[], perm: readonly number[]): number[] {
  return perm.map((axis) => from[axis]!);
}

export function isIdentity(perm: readonly number[]): boolean {
  return perm.every((axis, index) => axis === index);
}

export function samePerm(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((axis, index) => axis === right[index]);
}

/**
 * Values of an array laid out in `shape` (row-major), reordered as transpose(values, perm): used to
 * turn poolkit's weights (Keras's layouts) into ONNX's (and back).
 */
export function transposeValues(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((axis) => shape[axis]!);
  const inStrides = stridesOf(shape);
  const result = new Float32Array(values.length);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < values.length; flat++) {
    let source = 0;
    for (let axis = 0; axis < rank; axis++) source += index[axis]! * inStrides[perm[axis]!]!;
    result[flat] = values[source]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < outShape[axis]!) break;
      index[axis] = 0;
    }
  }
  return result;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}
