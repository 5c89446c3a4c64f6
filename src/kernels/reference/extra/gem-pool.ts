// GeM, generalized-mean pooling (Radenović, Tolias & Chum, "Fine-tuning CNN Image Retrieval with No
// Human Annotation", TPAMI 2018), reference kernels: y = (mean of clamp(x, ε)^p)^(1/p) over each
// window's in-bounds cells, p from a tensor of one value (shared) or one per channel.
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import { parameterSlot, readWindow, windowScratch, type WindowScratch } from './window-values.js';

/** The clamp's floor: 1e-6 as the authors' code, in float32 as PyTorch compares a float32 tensor with it. */
export const GEM_EPSILON = Math.fround(1e-6);

/**
 * One window's y; scratch.values receives the clamped cells c = max(x, ε). Computed as
 * s·(mean (c/s)^p)^(1/p) with s the largest c for p > 0 (the smallest for p < 0), so no power
 * overflows. An empty window gives 0, NaN gives NaN, +Infinity (p > 0) gives +Infinity.
 */
function gemWindow(input: Float32Array, window: CollectedWindow, power: number, scratch: WindowScratch): number {
  if (window.count === 0) return 0;
  const values = scratch.values;
  if (readWindow(input, window, values)) return NaN;
  let scale = power > 0 ? 0 : Infinity;
  for (let position = 0; position < window.count; position++) {
    values[position] = Math.max(values[position]!, GEM_EPSILON);
    scale = power > 0 ? Math.max(scale, values[position]!) : Math.min(scale, values[position]!);
  }
  if (!Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let position = 0; position < window.count; position++) sum += Math.pow(values[position]! / scale, power);
  return scale * Math.pow(sum / window.count, 1 / power);
}

export const gemPoolForward: WeightedWindowForward = (input, p, output, geometry) => {
  const scratch = windowScratch(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    output[outputIndex] = gemWindow(input, window, p[parameterSlot(p, geometry, outputIndex)]!, scratch);
  });
};

/**
 * With tᵢ = cᵢ/y: ∂y/∂xᵢ = tᵢ^(p−1)/n where xᵢ ≥ ε (the clamp passes no gradient below ε, as
 * PyTorch's), and ∂y/∂p = (y/p)·mean(tᵢ^p·ln tᵢ), summed into p's slot. A window whose output is
 * not finite passes no gradient. gradInput and gradP must be zeroed first.
 */
export const gemPoolBackward: WeightedWindowBackward = (input, p, gradOutput, gradInput, gradP, geometry) => {
  const scratch = windowScratch(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const slot = parameterSlot(p, geometry, outputIndex);
    const power = p[slot]!;
    const output = gemWindow(input, window, power, scratch);
    if (!Number.isFinite(output) || window.count === 0) return;
    const gradient = gradOutput[outputIndex]! / window.count;
    let powerTerm = 0;
    for (let position = 0; position < window.count; position++) {
      const inputIndex = window.inputIndices[position]!;
      const ratio = scratch.values[position]! / output;
      const powered = Math.pow(ratio, power);
      if (input[inputIndex]! >= GEM_EPSILON) gradInput[inputIndex]! += gradient * (powered / ratio);
      if (powered > 0) powerTerm += powered * Math.log(ratio);
    }
    gradP[slot]! += ((gradient * output) / power) * powerTerm;
  });
};
