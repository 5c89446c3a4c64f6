// BlurPool (Zhang, ICML 2019), reference kernels: a normalised binomial filter applied with a stride,
// each plane on its own (a depthwise convolution). The window walk skips cells outside the input;
// BlurPool's reflect and replicate padding read mirrored or edge cells there instead, so its windows
// are walked through per-axis tables of the input position each tap reads.
import type { PoolingSizes } from '../../../geometry/layout.js';
import { planeViews } from './planes.js';

export interface BlurGeometry extends PoolingSizes {
  /** Per axis (depth, height, width): the filter's normalised taps; [1] on an axis the rank lacks. */
  readonly filters: readonly [Float64Array, Float64Array, Float64Array];
  /** Per axis: entry o·taps + t is the input position tap t of output position o reads; −1 reads a zero. */
  readonly sources: readonly [Int32Array, Int32Array, Int32Array];
}

interface TapReducer {
  begin(outputIndex: number): void;
  visit(inputIndex: number, weight: number): void;
  finish(outputIndex: number): void;
}

/** Every (output cell, tap) in output order, taps row-major; taps reading a zero are skipped. */
function walkBlurTaps(geometry: BlurGeometry, reducer: TapReducer): void {
  const { filters, sources, inHeight, inWidth, outHeight, outWidth } = geometry;
  const [depthTaps, heightTaps, widthTaps] = filters.map((filter) => filter.length) as [number, number, number];
  const outSpatial = geometry.outDepth * outHeight * outWidth;
  for (let plane = 0; plane < geometry.batch * geometry.channels; plane++) {
    const views = planeViews(geometry, plane);
    for (let cell = 0; cell < outSpatial; cell++) {
      const outputIndex = views.output.base + cell * views.output.step;
      const outColumn = cell % outWidth;
      const outRow = Math.floor(cell / outWidth) % outHeight;
      const outSlice = Math.floor(cell / (outWidth * outHeight));
      reducer.begin(outputIndex);
      for (let tap = 0; tap < depthTaps * heightTaps * widthTaps; tap++) {
        const tapColumn = tap % widthTaps;
        const tapRow = Math.floor(tap / widthTaps) % heightTaps;
        const tapSlice = Math.floor(tap / (widthTaps * heightTaps));
        const slice = sources[0][outSlice * depthTaps + tapSlice]!;
        const row = sources[1][outRow * heightTaps + tapRow]!;
        const column = sources[2][outColumn * widthTaps + tapColumn]!;
        if (slice < 0 || row < 0 || column < 0) continue;
        const weight = filters[0][tapSlice]! * filters[1][tapRow]! * filters[2][tapColumn]!;
        reducer.visit(views.input.base + ((slice * inHeight + row) * inWidth + column) * views.input.step, weight);
      }
      reducer.finish(outputIndex);
    }
  }
}

/** y = Σ over taps of filter weight · x at the tap's (mirrored) cell; NaN and infinities propagate. */
export function blurPoolForward(input: Float32Array, output: Float32Array, geometry: BlurGeometry): void {
  let sum = 0;
  walkBlurTaps(geometry, {
    begin: () => (sum = 0),
    visit: (inputIndex, weight) => (sum += weight * input[inputIndex]!),
    finish: (outputIndex) => (output[outputIndex] = sum),
  });
}

/**
 * ∂y/∂x: each tap's weight times the output gradient, added to the cell it read (mirrored cells add up).
 * Each input cell's sum runs in f64 in (output cell, tap) order and rounds to f32 once, as the forward's
 * sums do (the transposed filter with the forward's precision; a Float32Array sum rounded after every add).
 */
export function blurPoolBackward(gradOutput: Float32Array, gradInput: Float32Array, geometry: BlurGeometry): void {
  const sums = new Float64Array(gradInput.length);
  let gradient = 0;
  walkBlurTaps(geometry, {
    begin: (outputIndex) => (gradient = gradOutput[outputIndex]!),
    visit: (inputIndex, weight) => (sums[inputIndex]! += weight * gradient),
    finish: () => {},
  });
  gradInput.set(sums);
}
