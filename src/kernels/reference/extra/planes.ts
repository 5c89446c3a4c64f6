// Whole-plane access for the kinds that treat each (batch, channel) plane as one signal (BlurPool's
// mirrored taps, S3Pool's sampled grid, wavelet and spectral pooling): where a plane's cells lie in
// a tensor of either layout, and copies between a plane and a dense row-major buffer.
import { stridesOf, type PoolingSizes } from '../../../geometry/layout.js';

/** Cell s of a plane is element base + s·step. */
export interface PlaneView {
  readonly base: number;
  readonly step: number;
}

/** The view of plane `plane` (sample·channels + channel) in a tensor with `spatial` cells per plane. */
export function planeView(channelsLast: boolean, channels: number, spatial: number, plane: number): PlaneView {
  const strides = stridesOf(channelsLast, channels, spatial);
  const base = Math.floor(plane / channels) * strides.batch + (plane % channels) * strides.channel;
  return { base, step: strides.spatial };
}

/** Input-side and output-side views of one plane of a pooling. */
export function planeViews(sizes: PoolingSizes, plane: number): { input: PlaneView; output: PlaneView } {
  const { channelsLast, channels } = sizes;
  return {
    input: planeView(channelsLast, channels, sizes.inDepth * sizes.inHeight * sizes.inWidth, plane),
    output: planeView(channelsLast, channels, sizes.outDepth * sizes.outHeight * sizes.outWidth, plane),
  };
}

/** target[s] = source[view.base + s·view.step] for the first `count` cells. */
export function readPlane(source: Float32Array, view: PlaneView, target: Float64Array, count: number): void {
  for (let cell = 0; cell < count; cell++) target[cell] = source[view.base + cell * view.step]!;
}

/** target[view.base + s·view.step] = source[s] for the first `count` cells. */
export function writePlane(source: Float64Array, view: PlaneView, target: Float32Array, count: number): void {
  for (let cell = 0; cell < count; cell++) target[view.base + cell * view.step] = source[cell]!;
}

/**
 * Plane by plane: reads the plane of `source` into `buffer` (float64), runs `transform` on it, and
 * writes the buffer's leading cells to the plane of `target`. Forward reads the input side and writes
 * the output side; backward (a gradient's way) the other way round.
 */
export function transformPlanes(
  sizes: PoolingSizes,
  way: 'forward' | 'backward',
  source: Float32Array,
  target: Float32Array,
  buffer: Float64Array,
  transform: () => void,
): void {
  const inCells = sizes.inDepth * sizes.inHeight * sizes.inWidth;
  const outCells = sizes.outDepth * sizes.outHeight * sizes.outWidth;
  const forward = way === 'forward';
  for (let plane = 0; plane < sizes.batch * sizes.channels; plane++) {
    const views = planeViews(sizes, plane);
    readPlane(source, forward ? views.input : views.output, buffer, forward ? inCells : outCells);
    transform();
    writePlane(buffer, forward ? views.output : views.input, target, forward ? outCells : inCells);
  }
}

/** Dense row-major [depth, height, width] sizes (1 on the axes a rank lacks). */
export type DenseSizes = readonly [number, number, number];

/** Lines of a dense buffer along `axis` (0 depth, 1 height, 2 width): each line's first index and step. */
export function forEachLine(sizes: DenseSizes, axis: number, visit: (first: number, step: number) => void): void {
  forEachLinePair(sizes, sizes[axis]!, axis, (first, _other, step) => visit(first, step));
}

/**
 * The same lines along `axis` of two dense buffers whose sizes differ only there (`sizes`, and
 * `otherLength` cells on that axis): each line's first index in both, and the step (the same in both).
 */
export function forEachLinePair(
  sizes: DenseSizes,
  otherLength: number,
  axis: number,
  visit: (first: number, otherFirst: number, step: number) => void,
): void {
  const step = axis === 2 ? 1 : axis === 1 ? sizes[2] : sizes[1] * sizes[2];
  const lines = (sizes[0] * sizes[1] * sizes[2]) / sizes[axis]!;
  for (let line = 0; line < lines; line++) {
    const outer = Math.floor(line / step) * step;
    visit(outer * sizes[axis]! + (line % step), outer * otherLength + (line % step), step);
  }
}

/** `sizes` with axis `axis` set to `size`. */
export function withAxis(sizes: DenseSizes, axis: number, size: number): DenseSizes {
  return [axis === 0 ? size : sizes[0], axis === 1 ? size : sizes[1], axis === 2 ? size : sizes[2]];
}
