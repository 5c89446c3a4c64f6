// Stochastic pooling (Zeiler & Fergus 2013), reference kernels. Activations are clamped to
// a⁺ = max(a, 0) (the paper pools ReLU outputs); p_i = a⁺_i / Σ a⁺ over the window's in-bounds cells.
// Training draws one cell with probability p_i; inference outputs Σ p_i a⁺_i = Σ a⁺² / Σ a⁺.
// A window whose a⁺ sum to 0 outputs 0 and routes its gradient to its first cell; a window holding
// NaN outputs NaN and chooses its first NaN cell. Cells with a < 0 never get a gradient.
import type { DrawingWindowForward } from './kernel-signatures.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';
import { drawUniform } from '../../../tensor/counter-draws.js';

/**
 * Training forward: output element i draws u = drawUniform(draws, i) (counter-draws.ts: 32 bits, in
 * [0, 1)); `chosen` gets the flat spatial index (in its plane) of the drawn cell, -1 for a window
 * without in-bounds cells.
 */
export const stochasticPoolForward: DrawingWindowForward = (input, output, chosen, draws, geometry) => {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const position = drawPosition(input, window, drawUniform(draws, outputIndex));
    chosen[outputIndex] = position < 0 ? -1 : window.spatialIndices[position]!;
    output[outputIndex] = position < 0 ? 0 : Math.max(input[window.inputIndices[position]!]!, 0); // NaN stays NaN
  });
};

/** Index into the window list of the drawn cell: the first where the running sum of a⁺ passes draw·Σa⁺. */
function drawPosition(input: Float32Array, window: CollectedWindow, draw: number): number {
  let total = 0;
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    if (Number.isNaN(value)) return position;
    total += Math.max(value, 0);
  }
  if (window.count === 0) return -1;
  if (total === 0) return 0;
  const target = draw * total;
  let running = 0;
  let lastPositive = 0;
  for (let position = 0; position < window.count; position++) {
    const value = Math.max(input[window.inputIndices[position]!]!, 0);
    if (value <= 0) continue;
    running += value;
    lastPositive = position;
    if (running > target) return position;
  }
  return lastPositive; // rounding left the target at the very end
}

/** Training backward: gradOutput goes to the chosen cell unless that cell is negative; gradInput zeroed first. */
export function stochasticPoolBackward(
  input: Float32Array,
  chosen: Int32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: PoolGeometry,
): void {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const target = chosen[outputIndex]!;
    for (let position = 0; position < window.count; position++) {
      const inputIndex = window.inputIndices[position]!;
      if (window.spatialIndices[position] !== target || !(input[inputIndex]! >= 0)) continue;
      gradInput[inputIndex]! += gradOutput[outputIndex]!;
      return;
    }
  });
}

/** Inference forward: Σ a⁺² / Σ a⁺ (the probability-weighted mean), 0 where Σ a⁺ = 0. */
export function stochasticPoolInference(input: Float32Array, output: Float32Array, geometry: PoolGeometry): void {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const { sum, sumOfSquares } = clampedSums(input, window); // NaN stays NaN through max(NaN, 0)
    output[outputIndex] = sum === 0 ? 0 : sumOfSquares / sum;
  });
}

/**
 * Inference backward: ∂y/∂a_j = (2a_j·S − Q)/S² with S = Σa⁺, Q = Σa⁺², for a_j ≥ 0; a window with
 * S = 0 sends its gradient to its first cell (the limit along that cell). gradInput zeroed first.
 */
export function stochasticPoolInferenceBackward(
  input: Float32Array,
  gradOutput: Float32Array,
  gradInput: Float32Array,
  geometry: PoolGeometry,
): void {
  walkCollectedWindows(geometry, (window, outputIndex) => {
    const { sum, sumOfSquares } = clampedSums(input, window);
    const gradient = gradOutput[outputIndex]!;
    for (let position = 0; position < window.count; position++) {
      const inputIndex = window.inputIndices[position]!;
      const value = input[inputIndex]!;
      if (!(value >= 0)) continue;
      if (sum === 0) {
        if (position === 0) gradInput[inputIndex]! += gradient;
        continue;
      }
      gradInput[inputIndex]! += (gradient * (2 * value * sum - sumOfSquares)) / (sum * sum);
    }
  });
}

function clampedSums(input: Float32Array, window: CollectedWindow): { sum: number; sumOfSquares: number } {
  let sum = 0;
  let sumOfSquares = 0;
  for (let position = 0; position < window.count; position++) {
    const clamped = Math.max(input[window.inputIndices[position]!]!, 0);
    sum += clamped;
    sumOfSquares += clamped * clamped;
  }
  return { sum, sumOfSquares };
}
