// Ordinal pooling (Kumar, "Ordinal Pooling Networks: For Preserving Information over Shrinking
// Feature Maps", 2018), reference kernels: each window's in-bounds cells sorted largest first,
// y = Σ_r w_r·x_(r), with rank weights w shared ([taps]) or per channel ([channels, taps]).
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import { walkCollectedWindows } from './collect.js';
import { PlaneSums } from './plane-sums.js';
import { rankWindow, readWindow, tapWeightBase, windowScratch } from './window-values.js';

/**
 * y = Σ over the window's n in-bounds cells of w_r·x_(r), x_(1) the largest (NaN ranks first, ties
 * keep window order), using the first n rank weights; an empty window gives 0.
 */
export const ordinalPoolForward: WeightedWindowForward = (input, weights, output, geometry) => {
  const { values, order } = windowScratch(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const base = tapWeightBase(weights, geometry, outputIndex);
    readWindow(input, window, values);
    rankWindow(values, window.count, order);
    let total = 0;
    for (let rank = 0; rank < window.count; rank++) total += weights[base + rank]! * values[order[rank]!]!;
    output[outputIndex] = total;
  });
};

/**
 * ∂y/∂x_(r) = w_r (whatever the values: the order is fixed by the forward's rule) and ∂y/∂w_r = x_(r),
 * summed in plane-sums.ts's order. gradInput is written whole (zeroed here first: the op does not zero
 * it); gradWeights is added into and must be zeroed first.
 */
export const ordinalPoolBackward: WeightedWindowBackward = (
  input,
  weights,
  gradOutput,
  gradInput,
  gradWeights,
  geometry,
) => {
  const { values, order } = windowScratch(geometry);
  const sums = new PlaneSums(geometry, geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth);
  gradInput.fill(0);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const base = tapWeightBase(weights, geometry, outputIndex);
    const gradient = gradOutput[outputIndex]!;
    readWindow(input, window, values);
    rankWindow(values, window.count, order);
    for (let rank = 0; rank < window.count; rank++) {
      const position = order[rank]!;
      gradInput[window.inputIndices[position]!]! += gradient * weights[base + rank]!;
      sums.add(outputIndex, rank, gradient * values[position]!);
    }
  });
  sums.finish(gradWeights);
};
