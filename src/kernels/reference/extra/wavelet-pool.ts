// Wavelet pooling (Williams & Li, ICLR 2018), reference kernels: per plane, a two-level Haar fast
// wavelet transform along every spatial axis, the first level's detail sub-bands discarded, and the
// first level's approximation rebuilt from all the second level's sub-bands (the inverse FWT).
// Haar filters are orthonormal: low = (a + b)/√2, high = (a − b)/√2. An odd length repeats its last
// cell (MATLAB's default 'sym' extension, which for Haar is one repeated cell), giving ⌈n/2⌉ cells;
// a rebuilt axis is cut back to the length it had (as waverec2's bookkeeping does).
import type { PoolingSizes } from '../../../geometry/layout.js';
import { forEachLinePair, transformPlanes } from './planes.js';

type Sizes = [number, number, number];

function halved(sizes: Sizes, axis: number): Sizes {
  const result: Sizes = [...sizes];
  result[axis] = Math.ceil(sizes[axis]! / 2);
  return result;
}

/**
 * Haar analysis along `axis` into `low` (and `high`), ⌈n/2⌉ cells each, laid out like `source` with
 * that axis halved. An odd n pairs its last cell with a copy of itself ('repeat', the 'sym' extension)
 * or with 0 ('zero': the adjoint of a synthesis cut to n cells).
 */
function analyze(
  source: Float64Array,
  sizes: Sizes,
  axis: number,
  low: Float64Array,
  high: Float64Array | null,
  odd: 'repeat' | 'zero',
): void {
  const length = sizes[axis]!;
  const half = halved(sizes, axis);
  forEachLinePair(sizes, half[axis]!, axis, (first, target, step) => {
    for (let index = 0; index < half[axis]!; index++) {
      const a = source[first + 2 * index * step]!;
      const b = 2 * index + 1 < length ? source[first + (2 * index + 1) * step]! : odd === 'repeat' ? a : 0;
      low[target + index * step] = (a + b) * Math.SQRT1_2;
      if (high !== null) high[target + index * step] = (a - b) * Math.SQRT1_2;
    }
  });
}

/**
 * Haar synthesis along `axis` from `low` and `high` (null: zeros), laid out with that axis halved,
 * into `target` with `length` cells there: a cell past `length` is dropped ('crop', as waverec2) or
 * added to the last kept cell ('fold': the adjoint of analyze's 'repeat').
 */
function synthesize(
  low: Float64Array,
  high: Float64Array | null,
  sizes: Sizes,
  axis: number,
  target: Float64Array,
  length: number,
  odd: 'crop' | 'fold',
): void {
  const full: Sizes = [...sizes];
  full[axis] = length;
  forEachLinePair(sizes, length, axis, (first, base, step) => {
    for (let index = 0; index < sizes[axis]!; index++) {
      const l = low[first + index * step]!;
      const h = high === null ? 0 : high[first + index * step]!;
      target[base + 2 * index * step] = (l + h) * Math.SQRT1_2;
      const second = (l - h) * Math.SQRT1_2;
      if (2 * index + 1 < length) target[base + (2 * index + 1) * step] = second;
      else if (odd === 'fold') target[base + 2 * index * step]! += second;
    }
  });
}

interface Scratch {
  plane: Float64Array;
  low: Float64Array;
  high: Float64Array;
}

function scratchFor(sizes: PoolingSizes): Scratch {
  const cells = sizes.inDepth * sizes.inHeight * sizes.inWidth;
  return { plane: new Float64Array(cells), low: new Float64Array(cells), high: new Float64Array(cells) };
}

/** The spatial axes the rank has, as indices into [depth, height, width]. */
function axesOf(sizes: PoolingSizes): number[] {
  return [0, 1, 2].slice(3 - sizes.spatialDims);
}

/** One plane forward, in place in scratch.plane: level 1's approximation, then level 2 taken apart and rebuilt. */
function waveletPlane(scratch: Scratch, inSizes: Sizes, axes: readonly number[]): void {
  let sizes = inSizes;
  for (const axis of axes) {
    analyze(scratch.plane, sizes, axis, scratch.low, null, 'repeat');
    sizes = halved(sizes, axis);
    scratch.plane.set(scratch.low.subarray(0, sizes[0] * sizes[1] * sizes[2]));
  }
  for (const axis of axes) {
    analyze(scratch.plane, sizes, axis, scratch.low, scratch.high, 'repeat');
    synthesize(scratch.low, scratch.high, halved(sizes, axis), axis, scratch.plane, sizes[axis]!, 'crop');
  }
}

/** The transpose of waveletPlane, in place in scratch.plane (holding the output gradient). */
function waveletPlaneBackward(scratch: Scratch, inSizes: Sizes, axes: readonly number[]): void {
  const levels = axes.reduce<Sizes[]>((list, axis) => [...list, halved(list[list.length - 1]!, axis)], [inSizes]);
  let sizes = levels[levels.length - 1]!;
  for (const axis of [...axes].reverse()) {
    analyze(scratch.plane, sizes, axis, scratch.low, scratch.high, 'zero');
    synthesize(scratch.low, scratch.high, halved(sizes, axis), axis, scratch.plane, sizes[axis]!, 'fold');
  }
  for (let level = axes.length - 1; level >= 0; level--) {
    const axis = axes[level]!;
    scratch.low.set(scratch.plane.subarray(0, sizes[0] * sizes[1] * sizes[2]));
    sizes = levels[level]!;
    synthesize(scratch.low, null, halved(sizes, axis), axis, scratch.plane, sizes[axis]!, 'fold');
  }
}

/** y = the level-1 approximation rebuilt from the level-2 sub-bands, ⌈n/2⌉ cells per axis. */
export function waveletPoolForward(input: Float32Array, output: Float32Array, geometry: PoolingSizes): void {
  const scratch = scratchFor(geometry);
  const inSizes: Sizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  transformPlanes(geometry, 'forward', input, output, scratch.plane, () =>
    waveletPlane(scratch, inSizes, axesOf(geometry)),
  );
}

/** ∂y/∂x: every step transposed in reverse order (the transform is linear). */
export function waveletPoolBackward(gradOutput: Float32Array, gradInput: Float32Array, geometry: PoolingSizes): void {
  const scratch = scratchFor(geometry);
  const inSizes: Sizes = [geometry.inDepth, geometry.inHeight, geometry.inWidth];
  transformPlanes(geometry, 'backward', gradOutput, gradInput, scratch.plane, () =>
    waveletPlaneBackward(scratch, inSizes, axesOf(geometry)),
  );
}
