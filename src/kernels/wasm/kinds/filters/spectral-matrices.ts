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
  /** A real matrix's real parts folded (foldedMatrix), `rows`×`columns` with the rest 0; null when not real. */
  readonly folded: Float64Array | null;
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
  const folded = real ? foldedMatrix(values.subarray(0, rows * columns), rows, columns) : null;
  return { values, real, folded };
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
