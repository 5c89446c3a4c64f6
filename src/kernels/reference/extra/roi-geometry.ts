// What RoI pooling and RoIAlign share: the sizes of an image batch and a list of boxes, where an
// element of a box's plane sits in the input and the output, and float32 arithmetic (both reference
// libraries compute box geometry in float; Math.fround after each step gives the same bits).
import { stridesOf, type Strides } from '../../../geometry/layout.js';
import type { Shape } from '../../../tensor/tensor.js';

export interface RoiGeometry {
  readonly channelsLast: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  /** K: one output image per box. */
  readonly boxCount: number;
  readonly outHeight: number;
  readonly outWidth: number;
  /** Box coordinates are multiplied by it (a float32 value, as both libraries hold it). */
  readonly spatialScale: number;
  readonly inputShape: Shape;
  /** [K, outHeight, outWidth, channels], or [K, channels, outHeight, outWidth] channels-first. */
  readonly outputShape: Shape;
}

/**
 * The boxes of a call: `corners` holds x1, y1, x2, y2 per box (input pixel units before the
 * spatial scale), `batchIndices` the image each box is in.
 */
export interface RoiBoxes {
  readonly corners: Float32Array;
  readonly batchIndices: Int32Array;
}

export const f32 = Math.fround;

/** Element index = batch·b + channel·c + spatial·s, in the input (batch = image) and in the output (batch = box). */
export function roiStrides(geometry: RoiGeometry): { input: Strides; output: Strides } {
  const { channelsLast, channels } = geometry;
  return {
    input: stridesOf(channelsLast, channels, geometry.inHeight * geometry.inWidth),
    output: stridesOf(channelsLast, channels, geometry.outHeight * geometry.outWidth),
  };
}

/** C's round(): half away from zero (JavaScript's Math.round goes half up). */
export function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.floor(Math.abs(value) + 0.5);
}
