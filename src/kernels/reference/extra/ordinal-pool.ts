// Ordinal pooling (Kumar, "Ordinal Pooling Networks: For Preserving Information over Shrinking
// Feature Maps", 2018), reference kernels: each window's in-bounds cells sorted largest first,
// y = Σ_r w_r·x_(r), with rank weights w shared ([taps]) or per channel ([channels, taps]).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { channelOfOutput, walkCollectedWindows } from './collect.js';
import { rankWindow, readWindow, windowScratch } from './window-values.js';

/** Where the rank weights of an output element's channel start in the flat weights. */
function weightBase(weights: Float32Array, geometry: PoolGeometry, outputIndex: number): number {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  return weights.length === taps ? 0 : channelOfOutput(geometry, outputIndex) * taps;
}

/**
 * y = Σ over the window's n in-bounds cells of w_r·x_(r), x_(1) the largest (NaN ranks first, ties
 * keep window order), using the first n rank weights; an empty window gives 0.
 */
export function ordinalPoolForward(
  input: Float32Array,
  weights: Float32Array,
  output: Float32Array,
  geometry: PoolGeometry,
): void {
  const { values, order } = windowScratch(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const base = weightBase(weights, geometry, outputIndex);
    readWindow(input, window, values);
    rankWindow(values, window.count, order);
    let total = 0;
    for (let rank = 0; rank < window.count; rank++) total += weights[base + rank]! * values[order[rank]!]!;
    output[outputIndex] = total;
  });
}

/**
 * ∂y/∂x_(r) = w_r (whatever the values: the order is fixed by the forward's rule) and ∂y/∂w_r = x_(r).
 * gradInput and gradWeights must be zeroed first.
 */
export function ordinalPoolBackward(
  input: Float32Array,
  weights: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradWeights: Float32Array,
  geometry: PoolGeometry,
): void {
  const { values, order } = windowScratch(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const base = weightBase(weights, geometry, outputIndex);
    const gradient = gradOutput[outputIndex]!;
    readWindow(input, window, values);
    rankWindow(values, window.count, order);
    for (let rank = 0; rank < window.count; rank++) {
      const position = order[rank]!;
      gradInput[window.inputIndices[position]!]! += gradient * weights[base + rank]!;
      gradWeights[base + rank]! += gradient * values[position]!;
    }
  });
}
