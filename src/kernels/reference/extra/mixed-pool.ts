// Mixed pooling (Lee, Gallagher & Tu 2016), reference kernels: y = a·max + (1 − a)·mean over each
// window's in-bounds cells, with a learnable mixing proportion a per layer (one value) or per
// channel. Max follows max pooling (NaN propagates, first of ties gets the gradient).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { channelOfOutput, walkCollectedWindows, windowStats, type WindowStats } from './collect.js';

/** `alpha` holds one value (shared) or one per channel. */
export function mixedPoolForward(
  input: Float32Array,
  alpha: Float32Array,
  output: Float32Array,
  geometry: PoolGeometry,
): void {
  const stats: WindowStats = { max: 0, maxPosition: -1, mean: 0 };
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const mix = alpha[alpha.length === 1 ? 0 : channelOfOutput(geometry, outputIndex)]!;
    windowStats(input, window, stats);
    output[outputIndex] = mix * stats.max + (1 - mix) * stats.mean;
  });
}

/**
 * ∂y/∂x: a to the max cell plus (1 − a)/n to every in-bounds cell; ∂y/∂a = max − mean, summed into
 * the alpha slot of the window's channel. gradInput and gradAlpha must be zeroed first.
 */
export function mixedPoolBackward(
  input: Float32Array,
  alpha: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  gradAlpha: Float32Array,
  geometry: PoolGeometry,
): void {
  const stats: WindowStats = { max: 0, maxPosition: -1, mean: 0 };
  walkCollectedWindows(geometry, (window, outputIndex) => {
    if (window.count === 0) return;
    const slot = alpha.length === 1 ? 0 : channelOfOutput(geometry, outputIndex);
    const mix = alpha[slot]!;
    const gradient = gradOutput[outputIndex]!;
    windowStats(input, window, stats);
    gradAlpha[slot]! += gradient * (stats.max - stats.mean);
    const share = ((1 - mix) * gradient) / window.count;
    for (let position = 0; position < window.count; position++) gradInput[window.inputIndices[position]!]! += share;
    gradInput[window.inputIndices[stats.maxPosition]!]! += mix * gradient;
  });
}
