// Gated pooling (Lee, Gallagher & Tu 2016), reference kernels: y = s·max + (1 − s)·mean with a gate
// s = sigmoid(wᵀx) per window (float32, gate-sigmoid.ts), where w holds one weight per window tap
// (kD·kH·kW, row-major) and is shared by all channels or given per channel. Padded taps read as 0 in wᵀx.
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { tapOfCell, walkWindowStats, type CollectedWindow } from './collect.js';
import { PlaneSums } from './plane-sums.js';
import { tapWeightBase } from './window-values.js';
import { gateSigmoid } from './gate-sigmoid.js';

/** `weights` is [1 or channels, taps] flattened. */
export const gatedPoolForward: WeightedWindowForward = (input, weights, output, geometry) => {
  walkWindowStats(input, geometry, (window, outputIndex, stats) => {
    const gate = gateSigmoid(gateInput(input, weights, window, outputIndex, geometry));
    output[outputIndex] = gate * stats.max + (1 - gate) * stats.mean;
  });
};

/**
 * ∂y/∂x_k = s·[k is the max] + (1 − s)/n + (max − mean)·s(1 − s)·w_k, and
 * ∂y/∂w_k = (max − mean)·s(1 − s)·x_k, summed in plane-sums.ts's order. gradInput is written whole
 * (zeroed here first: the op does not zero it); gradWeights is added into and must be zeroed first.
 */
export const gatedPoolBackward: WeightedWindowBackward = (
  input,
  weights,
  gradOutput,
  gradInput,
  gradWeights,
  geometry,
) => {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  const sums = new PlaneSums(geometry, taps);
  gradInput.fill(0);
  walkWindowStats(input, geometry, (window, outputIndex, stats) => {
    if (window.count === 0) return;
    const base = tapWeightBase(weights, geometry, outputIndex);
    const gate = gateSigmoid(gateInput(input, weights, window, outputIndex, geometry));
    const gradient = gradOutput[outputIndex]!;
    const gradGate = gradient * (stats.max - stats.mean) * gate * (1 - gate);
    const share = ((1 - gate) * gradient) / window.count;
    for (let position = 0; position < window.count; position++) {
      const inputIndex = window.inputIndices[position]!;
      const tap = windowTap(geometry, window, outputIndex, position, taps);
      gradInput[inputIndex]! += share + gradGate * weights[base + tap]!;
      sums.add(outputIndex, tap, gradGate * input[inputIndex]!);
    }
    gradInput[window.inputIndices[stats.maxPosition]!]! += gate * gradient;
  });
  sums.finish(gradWeights);
};

/** wᵀx over the window's in-bounds taps, with the weights of the window's channel (or the shared ones). */
function gateInput(
  input: Float32Array,
  weights: Float32Array,
  window: CollectedWindow,
  outputIndex: number,
  geometry: PoolGeometry,
): number {
  const taps = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  const base = tapWeightBase(weights, geometry, outputIndex);
  let total = 0;
  for (let position = 0; position < window.count; position++) {
    const tap = windowTap(geometry, window, outputIndex, position, taps);
    total += weights[base + tap]! * input[window.inputIndices[position]!]!;
  }
  return total;
}

/** The tap of a window cell: its position when no cell is out of bounds (the common case), else computed. */
function windowTap(
  geometry: PoolGeometry,
  window: CollectedWindow,
  outputIndex: number,
  position: number,
  taps: number,
): number {
  return window.count === taps ? position : tapOfCell(geometry, outputIndex, window.spatialIndices[position]!);
}
