// SoftPool (Stergiou, Poppe & Kalliatakis, "Refining activation downsampling with SoftPool", ICCV
// 2021), reference kernels: y = Σ softmax(x)ᵢ·xᵢ over each window's in-bounds cells, the softmax
// taken stably (exponents shifted by the window max). ∂y/∂xₖ = sₖ·(1 + xₖ − y).
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import { readWindow, shifted, softmaxWeights, windowScratch, type WindowScratch } from './window-values.js';

/** A window's softmax total Σeᵢ (weights in scratch.weights) and its output y, in float64. */
interface SoftWindow {
  total: number;
  output: number;
}

/**
 * y = m + Σ eᵢ·(xᵢ − m) / Σ eᵢ with eᵢ = exp(xᵢ − m), m the window max: the weighted mean in shifted
 * form, exact for a window of equal values. An empty window gives 0; NaN gives NaN; +Infinity (or
 * an all −Infinity window) gives that infinity; −Infinity cells have weight 0 and add nothing.
 */
function softWindow(
  input: Float32Array,
  window: CollectedWindow,
  scratch: WindowScratch,
  into: SoftWindow,
): SoftWindow {
  into.total = 0;
  into.output = window.count === 0 ? 0 : NaN;
  if (window.count === 0 || readWindow(input, window, scratch.values)) return into;
  const { values, weights } = scratch;
  const shift = softmaxWeights(values, window.count, 1, weights);
  let weighted = 0;
  for (let position = 0; position < window.count; position++) {
    into.total += weights[position]!;
    if (weights[position]! > 0) weighted += weights[position]! * shifted(values[position]!, shift);
  }
  into.output = shift + weighted / into.total;
  return into;
}

/** `_kept`: room a fast kernel may fill for its backward (forward-keep.ts); the reference leaves it alone. */
export function softPoolForward(
  input: Float32Array,
  output: Float32Array,
  geometry: PoolGeometry,
  _kept?: Float32Array,
): void {
  const scratch = windowScratch(geometry);
  const window: SoftWindow = { total: 0, output: 0 };
  walkCollectedWindows(geometry, (cells, outputIndex) => {
    output[outputIndex] = softWindow(input, cells, scratch, window).output;
  });
}

/**
 * gradInput (zeroed first) += gradOutput·sₖ·(1 + xₖ − y) for each cell k of each window. A window
 * whose output is not finite (NaN, ±Infinity) passes no gradient.
 */
export function softPoolBackward(
  input: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: PoolGeometry,
  _kept?: Float32Array,
): void {
  const scratch = windowScratch(geometry);
  const window: SoftWindow = { total: 0, output: 0 };
  walkCollectedWindows(geometry, (cells, outputIndex) => {
    const { output, total } = softWindow(input, cells, scratch, window);
    if (!Number.isFinite(output)) return;
    const gradient = gradOutput[outputIndex]!;
    for (let position = 0; position < cells.count; position++) {
      const weight = scratch.weights[position]! / total;
      if (weight === 0) continue;
      const inputIndex = cells.inputIndices[position]!;
      gradInput[inputIndex]! += gradient * weight * (1 + scratch.values[position]! - output);
    }
  });
}
