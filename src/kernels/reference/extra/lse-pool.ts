// LSE, log-sum-exp pooling (Pinheiro & Collobert, "From Image-level to Pixel-level Labeling with
// Convolutional Networks", CVPR 2015), reference kernels: y = m + (1/r)·log(mean e^{r(x − m)}) over
// each window's in-bounds cells, with m the window's extreme (max for r > 0) so no exponent overflows.
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import {
  parameterSlot,
  readWindow,
  shifted,
  softmaxWeights,
  windowScratch,
  type WindowScratch,
} from './window-values.js';

/** Below this |r|·(max − min), y is the mean to float32 precision (the limit r → 0), computed so. */
const MEAN_LIMIT = 1e-9;

interface LseWindow {
  output: number;
  /** The shift m; NaN in the mean limit, where every weight is 1. */
  shift: number;
  /** Σ e^{r(x − m)}: the softmax total (the count in the mean limit). */
  total: number;
  /** log(mean e^{r(x − m)}), through log1p and expm1 so that small r keeps its digits. */
  logMean: number;
}

function lseWindow(
  input: Float32Array,
  window: CollectedWindow,
  rate: number,
  scratch: WindowScratch,
  into: LseWindow,
): LseWindow {
  const { count } = window;
  into.output = count === 0 ? 0 : NaN;
  into.shift = NaN;
  into.total = count;
  into.logMean = 0;
  if (count === 0 || readWindow(input, window, scratch.values)) return into;
  const { values, weights } = scratch;
  if (rate === 0 || Math.abs(rate) * spread(values, count) < MEAN_LIMIT) {
    weights.fill(1, 0, count);
    into.output = 0;
    for (let position = 0; position < count; position++) into.output += values[position]! / count;
    return into;
  }
  into.shift = softmaxWeights(values, count, rate, weights);
  let expm1Sum = 0;
  into.total = 0;
  for (let position = 0; position < count; position++) {
    into.total += weights[position]!;
    expm1Sum += Math.expm1(rate * shifted(values[position]!, into.shift));
  }
  into.logMean = Math.log1p(expm1Sum / count);
  into.output = into.shift + into.logMean / rate;
  return into;
}

/** max − min of the window's values (NaN for a window of equal infinities, which is not near the mean limit). */
function spread(values: Float64Array, count: number): number {
  let [low, high] = [Infinity, -Infinity];
  for (let position = 0; position < count; position++) {
    low = Math.min(low, values[position]!);
    high = Math.max(high, values[position]!);
  }
  return high - low;
}

export const lsePoolForward: WeightedWindowForward = (input, r, output, geometry) => {
  const scratch = windowScratch(geometry);
  const window: LseWindow = { output: 0, shift: 0, total: 0, logMean: 0 };
  walkCollectedWindows(geometry, (cells, outputIndex) => {
    output[outputIndex] = lseWindow(input, cells, r[parameterSlot(r, geometry, outputIndex)]!, scratch, window).output;
  });
};

/**
 * ∂y/∂xᵢ = sᵢ, the softmax of r·x; ∂y/∂r = (Σ sᵢ(xᵢ − m) − log(mean e^{r(x − m)})/r)/r, which is
 * variance/2 in the mean limit. A window whose output is not finite passes no gradient. gradInput
 * and gradR must be zeroed first.
 */
export const lsePoolBackward: WeightedWindowBackward = (input, r, gradOutput, gradInput, gradR, geometry) => {
  const scratch = windowScratch(geometry);
  const window: LseWindow = { output: 0, shift: 0, total: 0, logMean: 0 };
  walkCollectedWindows(geometry, (cells, outputIndex) => {
    const slot = parameterSlot(r, geometry, outputIndex);
    const rate = r[slot]!;
    const { output, shift, total, logMean } = lseWindow(input, cells, rate, scratch, window);
    if (!Number.isFinite(output)) return;
    const gradient = gradOutput[outputIndex]!;
    const meanLimit = Number.isNaN(shift);
    let rateTerm = 0;
    for (let position = 0; position < cells.count; position++) {
      const share = scratch.weights[position]! / total;
      if (share === 0) continue;
      gradInput[cells.inputIndices[position]!]! += gradient * share;
      const offset = meanLimit ? scratch.values[position]! - output : shifted(scratch.values[position]!, shift);
      rateTerm += meanLimit ? (share * offset * offset) / 2 : share * offset;
    }
    gradR[slot]! += gradient * (meanLimit ? rateTerm : (rateTerm - logMean / rate) / rate);
  });
};
