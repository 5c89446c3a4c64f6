// The tables of the spectral kernels (assembly/kinds/filters/spectral*.ts): each axis's crop matrix
// (DFT, kept bins with their mask weights, inverse DFT) and plain DFT matrices, in f64, kept per
// geometry (a training run asks for the same few again and again), and whether a crop matrix is real.
import { keptBin } from '../../../reference/extra/spectral-pool.js';

/** e^{2πi·sign·numerator/denominator}, the angle reduced exactly first. */
function unit(sign: number, numerator: number, denominator: number): [number, number] {
  const angle = (sign * 2 * Math.PI * (numerator % denominator)) / denominator;
  return [Math.cos(angle), Math.sin(angle)];
}

/** One axis's crop matrix: its real parts, its imaginary parts, and whether those are all (numerically) 0. */
export interface AxisMatrix {
  /** real parts then imaginary, `rows`×`columns` each */
  readonly values: Float64Array;
  readonly real: boolean;
  /**
   * The real parts folded (foldedMatrix), `rows`×`columns` with the rest 0, where they are symmetric
   * (R[−j][−k] = R[j][k]) and the imaginary parts are 0 (real) or one outer product (imaginaryFactors);
   * else null.
   */
  readonly folded: Float64Array | null;
  /**
   * Where the matrix is not real but its imaginary parts are u·vᵀ (an even output keeps one unpaired
   * frequency, −out/2, whose term is (−1)^j times a function of k): u (`rows`) and v (`columns`).
   */
  readonly imaginaryFactors: { readonly u: Float64Array; readonly v: Float64Array } | null;
}

/**
 * `rows`×`columns`, real parts then imaginary: forward (rows = out cells, columns = in cells)
 * M[j][k] = Σ_b e^{+2πi·b·j/out}·w_b·e^{−2πi·bin(b)·k/in}; backward (rows = in, columns = out)
 * M[k][j] = Σ_b e^{+2πi·bin(b)·k/in}·w_b·e^{−2πi·b·j/out}. Real when the kept frequencies come in ±
 * pairs of equal weight (odd out, symmetric mask): the imaginary parts, f64 noise then, are zeroed,
 * and the real parts given folded too.
 */
function buildAxisMatrix(inSize: number, outSize: number, mask: Float64Array | null, backward: boolean): AxisMatrix {
  const [rows, columns] = backward ? [inSize, outSize] : [outSize, inSize];
  // e^{−2πi·bin(b)·k/in} and e^{−2πi·b·j/out} from the cached DFTs (the outer factor their conjugate)
  const [outer, inner] = backward
    ? [dftMatrix(inSize, outSize), dftMatrix(outSize, outSize)]
    : [dftMatrix(outSize, outSize), dftMatrix(inSize, outSize)];
  const values = new Float64Array(2 * rows * columns);
  for (let bin = 0; bin < outSize; bin++) {
    const weight = mask === null ? 1 : mask[keptBin(inSize, outSize, bin)]!;
    for (let row = 0; row < rows; row++) {
      const [outerRe, outerIm] = [outer[bin * rows + row]!, -outer[outSize * rows + bin * rows + row]!];
      for (let column = 0; column < columns; column++) {
        const [innerRe, innerIm] = [inner[bin * columns + column]!, inner[outSize * columns + bin * columns + column]!];
        values[row * columns + column]! += weight * (outerRe * innerRe - outerIm * innerIm);
        values[rows * columns + row * columns + column]! += weight * (outerRe * innerIm + outerIm * innerRe);
      }
    }
  }
  const imaginary = values.subarray(rows * columns);
  const real = outSize % 2 === 1 && symmetric(inSize, outSize, mask) && imaginary.every((v) => Math.abs(v) < 1e-12);
  if (real) imaginary.fill(0);
  const realParts = values.subarray(0, rows * columns);
  const imaginaryFactors = real || !foldable(realParts, rows, columns) ? null : outerFactors(imaginary, rows, columns);
  const folded = real || imaginaryFactors !== null ? foldedMatrix(realParts, rows, columns) : null;
  return { values, real, folded, imaginaryFactors };
}

/** Whether M[−j][−k] = M[j][k] (indices mod the sizes) to 1e-12 of M's largest entry. */
function foldable(matrix: Float64Array, rows: number, columns: number): boolean {
  const bound = 1e-12 * Math.max(1, ...matrix.map(Math.abs));
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < columns; column++) {
      const mirrored = matrix[((rows - row) % rows) * columns + ((columns - column) % columns)]!;
      if (Math.abs(matrix[row * columns + column]! - mirrored) > bound) return false;
    }
  return true;
}

/** u and v with matrix = u·vᵀ (to 1e-12 of its largest entry; u 1 at the largest's row), or null. */
function outerFactors(matrix: Float64Array, rows: number, columns: number) {
  let largest = 0;
  matrix.forEach((value, index) => {
    if (Math.abs(value) > Math.abs(matrix[largest]!)) largest = index;
  });
  const [pivotRow, pivotColumn] = [Math.floor(largest / columns), largest % columns];
  const pivot = matrix[largest]!;
  if (pivot === 0) return null;
  const v = matrix.slice(pivotRow * columns, (pivotRow + 1) * columns);
  const u = Float64Array.from({ length: rows }, (_, row) => matrix[row * columns + pivotColumn]! / pivot);
  const bound = 1e-12 * Math.abs(pivot);
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < columns; column++)
      if (Math.abs(matrix[row * columns + column]! - u[row]! * v[column]!) > bound) return null;
  return { u, v };
}

/**
 * A real crop matrix M (rows×columns; M[−j][−k] = M[j][k], indices mod the sizes, as a real matrix is its
 * own conjugate) as assembly/kinds/filters/spectral-real.ts applyAxisFolded reads it, in M's room: A[j][k]
 * = (M[j][k] + M[j][−k])/2 (M[j][k] where k = −k) for j = 0 … ⌊rows/2⌋, k = 0 … ⌊columns/2⌋, then B[j][k] =
 * (M[j][k] − M[j][−k])/2 for j = 1 … ⌈rows/2⌉ − 1, k = 1 … ⌈columns/2⌉ − 1 (the rest 0).
 */
export function foldedMatrix(matrix: Float64Array, rows: number, columns: number): Float64Array {
  const folded = new Float64Array(rows * columns);
  const [sums, evenRows] = [Math.floor(columns / 2) + 1, Math.floor(rows / 2) + 1];
  const [differences, oddRows] = [columns - sums, rows - evenRows];
  const entry = (row: number, column: number) => matrix[row * columns + column]!;
  const partner = (column: number) => (columns - column) % columns;
  for (let row = 0; row < evenRows; row++)
    for (let column = 0; column < sums; column++)
      folded[row * sums + column] =
        partner(column) === column ? entry(row, column) : (entry(row, column) + entry(row, partner(column))) / 2;
  for (let row = 0; row < oddRows; row++)
    for (let column = 0; column < differences; column++)
      folded[evenRows * sums + row * differences + column] =
        (entry(row + 1, column + 1) - entry(row + 1, partner(column + 1))) / 2;
  return folded;
}

/** Whether the kept bins' weights are equal at ±frequency (outSize odd: the kept frequencies are symmetric). */
function symmetric(inSize: number, outSize: number, mask: Float64Array | null): boolean {
  if (mask === null) return true;
  for (let bin = 1; bin <= (outSize - 1) / 2; bin++)
    if (mask[keptBin(inSize, outSize, bin)] !== mask[keptBin(inSize, outSize, outSize - bin)]) return false;
  return true;
}

/** The DFT of `inSize` cells at the kept bins of `outSize` (crop) or at every bin (outSize = inSize). */
export function dftMatrix(inSize: number, outSize: number): Float64Array {
  return cached(`dft ${inSize} ${outSize}`, () => {
    const matrix = new Float64Array(2 * outSize * inSize);
    for (let bin = 0; bin < outSize; bin++)
      for (let cell = 0; cell < inSize; cell++) {
        const [re, im] = unit(-1, keptBin(inSize, outSize, bin) * cell, inSize);
        matrix[bin * inSize + cell] = re;
        matrix[outSize * inSize + bin * inSize + cell] = im;
      }
    return matrix;
  });
}

/** buildAxisMatrix, kept per sizes, mask and direction (read-only: callers copy it into the heap). */
export function axisMatrix(inSize: number, outSize: number, mask: Float64Array | null, backward: boolean): AxisMatrix {
  const key = `axis ${inSize} ${outSize} ${backward} ${mask === null ? '' : mask.join(',')}`;
  return cached(key, () => buildAxisMatrix(inSize, outSize, mask, backward));
}

/** A small cache: DiffStride's masks move with its strides every step, so old entries go first. */
const entries = new Map<string, unknown>();
const CAPACITY = 32;

function cached<T>(key: string, build: () => T): T {
  const found = entries.get(key);
  if (found !== undefined) {
    entries.delete(key);
    entries.set(key, found); // most recently used last
    return found as T;
  }
  const value = build();
  entries.set(key, value);
  if (entries.size > CAPACITY) entries.delete(entries.keys().next().value!);
  return value;
}

/**
 * The folded contraction of an axis (assembly/kinds/filters/spectral-mask-real.ts contractFolded): per
 * kept bin d, with C[a][b] = Re(F_in[d][a]·conj F_out[d][b]) (the crop DFT at d and the output DFT at d,
 * even under (a, b) → (−a, −b)), the coefficients of the sums of even rows (a ≤ ⌊in/2⌋, b ≤ ⌊out/2⌋):
 * C summed over {±a}×{±b} over the rows' multiplicities (2 for a folded pair, 1 alone), then of the odd
 * rows' differences (a, b ≥ 1 paired): (C[a][b] − C[−a][b] − C[a][−b] + C[−a][−b])/4.
 */
export function foldedContraction(inSize: number, outSize: number): Float64Array {
  return cached(`contraction ${inSize} ${outSize}`, () => {
    const [inner, outer] = [dftMatrix(inSize, outSize), dftMatrix(outSize, outSize)];
    const [evenIn, evenOut] = [Math.floor(inSize / 2) + 1, Math.floor(outSize / 2) + 1];
    const [oddIn, oddOut] = [inSize - evenIn, outSize - evenOut];
    const terms = evenIn * evenOut + oddIn * oddOut;
    const tables = new Float64Array(outSize * terms);
    for (let bin = 0; bin < outSize; bin++) {
      const entry = (a: number, b: number) =>
        inner[bin * inSize + a]! * outer[bin * outSize + b]! +
        inner[outSize * inSize + bin * inSize + a]! * outer[outSize * outSize + bin * outSize + b]!;
      const orbit = (index: number, size: number) => [...new Set([index, (size - index) % size])];
      let at = bin * terms;
      for (let a = 0; a < evenIn; a++)
        for (let b = 0; b < evenOut; b++) {
          const [rows, columns] = [orbit(a, inSize), orbit(b, outSize)];
          const sum = rows.reduce(
            (total, row) => total + columns.reduce((part, column) => part + entry(row, column), 0),
            0,
          );
          tables[at++] = sum / (rows.length * columns.length);
        }
      for (let a = 1; a <= oddIn; a++)
        for (let b = 1; b <= oddOut; b++) {
          const [minusA, minusB] = [inSize - a, outSize - b];
          tables[at++] = (entry(a, b) - entry(minusA, b) - entry(a, minusB) + entry(minusA, minusB)) / 4;
        }
    }
    return tables;
  });
}
