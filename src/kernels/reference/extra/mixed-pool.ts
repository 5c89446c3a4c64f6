// Mixed pooling (Lee, Gallagher & Tu 2016), reference kernels: y = a·max + (1 − a)·mean over each
// window's in-bounds cells, with a learnable mixing proportion a per layer (one value) or per
// channel. Max follows max pooling (NaN propagates, first of ties gets the gradient).
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import { walkWindowStats } from './collect.js';
import { PlaneSums } from './plane-sums.js';
import { parameterSlot } from './window-values.js';

/** `alpha` holds one value (shared) or one per channel. */
export const mixedPoolForward: WeightedWindowForward = (input, alpha, output, geometry) => {
  walkWindowStats(input, geometry, (_window, outputIndex, stats) => {
    const mix = alpha[parameterSlot(alpha, geometry, outputIndex)]!;
    output[outputIndex] = mix * stats.max + (1 - mix) * stats.mean;
  });
};

/**
 * ∂y/∂x: a to the max cell plus (1 − a)/n to every in-bounds cell; ∂y/∂a = max − mean, summed into
 * the alpha slot of the window's channel in plane-sums.ts's order. gradInput is written whole (zeroed
 * here first: the op does not zero it); gradAlpha is added into and must be zeroed first.
 */
export const mixedPoolBackward: WeightedWindowBackward = (input, alpha, gradOutput, gradInput, gradAlpha, geometry) => {
  const sums = new PlaneSums(geometry, 1);
  gradInput.fill(0);
  walkWindowStats(input, geometry, (window, outputIndex, stats) => {
    if (window.count === 0) return;
    const mix = alpha[parameterSlot(alpha, geometry, outputIndex)]!;
    const gradient = gradOutput[outputIndex]!;
    sums.add(outputIndex, 0, gradient * (stats.max - stats.mean));
    const share = ((1 - mix) * gradient) / window.count;
    for (let position = 0; position < window.count; position++) gradInput[window.inputIndices[position]!]! += share;
    gradInput[window.inputIndices[stats.maxPosition]!]! += mix * gradient;
  });
  sums.finish(gradAlpha);
};
