// The order in which mixed, gated and ordinal pooling sum their weights' gradients (the specification
// every backend keeps): each plane's terms per weight in float64 in window order, then the planes'
// sums into one float64 total per weight in plane order, rounded once into the float32 gradient.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';

/** The plane (sample · channels + channel) of an output element, in either layout. */
export function planeOfOutput(geometry: PoolGeometry, outputIndex: number): number {
  const { channels } = geometry;
  const spatial = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  if (!geometry.channelsLast) return Math.floor(outputIndex / spatial);
  return Math.floor(outputIndex / (spatial * channels)) * channels + (outputIndex % channels);
}

/**
 * Adds per-plane sums ([planes, perPlane], plane-major) into `gradWeights`, [perPlane] (shared by
 * every channel) or [channels, perPlane]: total_k = gradWeights_k + Σ over planes in order of the
 * plane's sum for k (float64), then one rounding to float32. Planes are independent until here, so
 * a fast kernel may compute their sums on any thread, and each plane's weights in separate registers.
 */
export function addPlaneSums(sums: Float64Array, gradWeights: Float32Array, channels: number, perPlane: number): void {
  const shared = gradWeights.length === perPlane;
  const totals = Float64Array.from(gradWeights);
  const planes = sums.length / perPlane;
  for (let plane = 0; plane < planes; plane++) {
    const base = shared ? 0 : (plane % channels) * perPlane;
    for (let weight = 0; weight < perPlane; weight++) totals[base + weight]! += sums[plane * perPlane + weight]!;
  }
  gradWeights.set(totals);
}

/** A reference kernel's per-plane sums: add each window's terms, then finish into the gradient. */
export class PlaneSums {
  private readonly sums: Float64Array;

  constructor(
    private readonly geometry: PoolGeometry,
    private readonly perPlane: number,
  ) {
    this.sums = new Float64Array(geometry.batch * geometry.channels * perPlane);
  }

  /** Adds `term` to weight `weight` (0 ≤ weight < perPlane) of the plane of output element `outputIndex`. */
  add(outputIndex: number, weight: number, term: number): void {
    this.sums[planeOfOutput(this.geometry, outputIndex) * this.perPlane + weight]! += term;
  }

  finish(gradWeights: Float32Array): void {
    addPlaneSums(this.sums, gradWeights, this.geometry.channels, this.perPlane);
  }
}
