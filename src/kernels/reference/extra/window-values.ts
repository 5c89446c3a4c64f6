// What the formula-defined window kinds (SoftPool, GeM, LSE, median, ordinal, DPP) share: a window's
// values read once in float64, a stable softmax of scale·x, and a stable rank order of the cells.
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { channelOfOutput, type CollectedWindow } from './collect.js';

/** Scratch space for one window: values in window order, per-cell weights and terms, a rank order. */
export interface WindowScratch {
  readonly values: Float64Array;
  readonly weights: Float64Array;
  readonly terms: Float64Array;
  readonly order: Int32Array;
}

export function windowScratch(geometry: PoolGeometry): WindowScratch {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  const cells = (): Float64Array => new Float64Array(taps);
  return { values: cells(), weights: cells(), terms: cells(), order: new Int32Array(taps) };
}

/** Copies the window's in-bounds values into `values`; true when one of them is NaN. */
export function readWindow(input: Float32Array, window: CollectedWindow, values: Float64Array): boolean {
  let hasNaN = false;
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    values[position] = value;
    if (Number.isNaN(value)) hasNaN = true;
  }
  return hasNaN;
}

/**
 * Unnormalised softmax weights of scale·x (scale ≠ 0, no NaN among the values): eᵢ = exp(scale·(xᵢ − m))
 * with m the value that maximises scale·x (the max for scale > 0, the min for scale < 0), so every
 * exponent is ≤ 0 and nothing overflows. A cell equal to m gets weight 1 even where m is ±Infinity
 * (where xᵢ − m would be NaN): an infinite extreme takes all the weight, shared by its copies.
 * Returns m; `weights` receives eᵢ.
 */
export function softmaxWeights(values: Float64Array, count: number, scale: number, weights: Float64Array): number {
  let shift = values[0]!;
  for (let position = 1; position < count; position++) {
    const value = values[position]!;
    if (scale > 0 ? value > shift : value < shift) shift = value;
  }
  for (let position = 0; position < count; position++) {
    const value = values[position]!;
    weights[position] = value === shift ? 1 : Math.exp(scale * (value - shift));
  }
  return shift;
}

/** x − m where x = m counts as 0, also for an infinite m (a cell of the extreme itself). */
export function shifted(value: number, shift: number): number {
  return value === shift ? 0 : value - shift;
}

/**
 * Writes into `order` the window positions 0..count−1 sorted by value, largest first, NaN before
 * every number; stable, so tied values keep window order (insertion sort: windows are small).
 */
export function rankWindow(values: Float64Array, count: number, order: Int32Array): void {
  for (let position = 0; position < count; position++) {
    const value = values[position]!;
    let slot = position;
    while (slot > 0 && ranksBefore(value, values[order[slot - 1]!]!)) {
      order[slot] = order[slot - 1]!;
      slot--;
    }
    order[slot] = position;
  }
}

/** Strictly before in rank order: a NaN before any number, else the larger value. */
function ranksBefore(value: number, other: number): boolean {
  if (Number.isNaN(other)) return false;
  return Number.isNaN(value) || value > other;
}

/** The parameter slot of an output element: 0 for one shared value, else its channel. */
export function parameterSlot(parameter: Float32Array, geometry: PoolGeometry, outputIndex: number): number {
  if (parameter.length === 1) return 0;
  return channelOfOutput(geometry, outputIndex);
}

/** Where an output element's weights start in [taps] (shared) or [channels, taps] weights (gated, ordinal). */
export function tapWeightBase(weights: Float32Array, geometry: PoolGeometry, outputIndex: number): number {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  return weights.length === taps ? 0 : channelOfOutput(geometry, outputIndex) * taps;
}
