// AdaPool (Stergiou & Poppe, IEEE TIP 2023), reference kernels: per window, the Dice–Sørensen-
// weighted mean (eDSCW) and the exponential-maximum mean (eM, SoftPool) blended by a weight β of
// the window's output cell: y = β·eDSCW + (1 − β)·eM. Computed in double precision per window.
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';

/** One window's two means and the per-cell weights behind them (buffers reused between windows). */
interface WindowMeans {
  /** The plain mean ā that the Dice–Sørensen coefficients compare each cell with. */
  mean: number;
  /** eDSCW: Σ e^{DSC(x_i, ā)}·x_i / Σ e^{DSC(x_j, ā)}. */
  dice: number;
  /** eM: Σ e^{x_i}·x_i / Σ e^{x_j} (computed as e^{x_i − max}). */
  exponential: number;
  /** Normalised weights q_i = e^{DSC_i} / Σ and p_i = e^{x_i} / Σ, per window position. */
  readonly diceWeights: Float64Array;
  readonly exponentialWeights: Float64Array;
}

function createMeans(geometry: PoolGeometry): WindowMeans {
  const capacity = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  return {
    mean: 0,
    dice: 0,
    exponential: 0,
    diceWeights: new Float64Array(capacity),
    exponentialWeights: new Float64Array(capacity),
  };
}

/** DSC(a, b) = 2ab / (a² + b²), and 1 where a = b = 0 (its value all along a = b). */
function dice(a: number, b: number): number {
  const norm = a * a + b * b;
  return norm === 0 ? 1 : (2 * a * b) / norm;
}

/** Fills `means` for a non-empty window whose cells are all finite. */
function windowMeans(input: Float32Array, window: CollectedWindow, means: WindowMeans): void {
  let [sum, max] = [0, -Infinity];
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    sum += value;
    max = Math.max(max, value);
  }
  means.mean = sum / window.count;
  let [diceTotal, exponentialTotal, diceSum, exponentialSum] = [0, 0, 0, 0];
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    const diceWeight = Math.exp(dice(value, means.mean));
    const exponentialWeight = Math.exp(value - max);
    means.diceWeights[position] = diceWeight;
    means.exponentialWeights[position] = exponentialWeight;
    [diceTotal, diceSum] = [diceTotal + diceWeight, diceSum + diceWeight * value];
    [exponentialTotal, exponentialSum] = [
      exponentialTotal + exponentialWeight,
      exponentialSum + exponentialWeight * value,
    ];
  }
  for (let position = 0; position < window.count; position++) {
    means.diceWeights[position]! /= diceTotal;
    means.exponentialWeights[position]! /= exponentialTotal;
  }
  means.dice = diceSum / diceTotal;
  means.exponential = exponentialSum / exponentialTotal;
}

/** True when the window holds NaN or ±Infinity (its output is NaN then). */
function holdsNonFinite(input: Float32Array, window: CollectedWindow): boolean {
  for (let position = 0; position < window.count; position++)
    if (!Number.isFinite(input[window.inputIndices[position]!]!)) return true;
  return false;
}

/** The slot of β for an output element: 0 for a single β, else the element's output cell. */
export function betaSlot(geometry: PoolGeometry, betaLength: number, outputIndex: number): number {
  if (betaLength === 1) return 0;
  const outSpatial = geometry.outDepth * geometry.outHeight * geometry.outWidth;
  return geometry.channelsLast ? Math.floor(outputIndex / geometry.channels) % outSpatial : outputIndex % outSpatial;
}

/**
 * `beta` holds one value, or one per output cell (outDepth·outHeight·outWidth, row-major). The
 * signature's `kept` (room a fast kernel may fill for its backward, src/pooling/kinds/forward-keep.ts)
 * is unused here.
 */
export const adaPoolForward: WeightedWindowForward = (input, beta, output, geometry) => {
  const means = createMeans(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    if (window.count === 0) {
      output[outputIndex] = 0;
      return;
    }
    if (holdsNonFinite(input, window)) {
      output[outputIndex] = NaN;
      return;
    }
    windowMeans(input, window, means);
    const blend = beta[betaSlot(geometry, beta.length, outputIndex)]!;
    output[outputIndex] = blend * means.dice + (1 - blend) * means.exponential;
  });
};

/**
 * ∂y/∂β = eDSCW − eM; ∂y/∂x_k = β·[q_k·(1 + (x_k − A)·∂₁DSC_k) + (1/n)·Σ_i q_i·(x_i − A)·∂₂DSC_i]
 * + (1 − β)·p_k·(1 + x_k − M), with A = eDSCW, M = eM, ∂₁ and ∂₂ the partial derivatives of DSC
 * in the cell and in the mean (0 where both are 0). gradInput and gradBeta must be zeroed first.
 */
export const adaPoolBackward: WeightedWindowBackward = (input, beta, gradOutput, gradInput, gradBeta, geometry) => {
  const means = createMeans(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    if (window.count === 0) return;
    const slot = betaSlot(geometry, beta.length, outputIndex);
    const gradient = gradOutput[outputIndex]!;
    if (holdsNonFinite(input, window)) {
      for (let position = 0; position < window.count; position++) gradInput[window.inputIndices[position]!] = NaN;
      gradBeta[slot] = NaN;
      return;
    }
    windowMeans(input, window, means);
    gradBeta[slot]! += gradient * (means.dice - means.exponential);
    addInputGradients(input, window, means, gradient * beta[slot]!, gradient * (1 - beta[slot]!), gradInput);
  });
};

/** Adds the eDSCW part (scaled by `diceScale` = g·β) and the eM part (`exponentialScale` = g·(1 − β)). */
function addInputGradients(
  input: Float32Array,
  window: CollectedWindow,
  means: WindowMeans,
  diceScale: number,
  exponentialScale: number,
  gradInput: Float32Array,
): void {
  const { mean, dice: diceMean, exponential } = means;
  // Every DSC_i depends on the mean, which depends on every cell by 1/n: one shared term.
  let shared = 0;
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    shared += means.diceWeights[position]! * (value - diceMean) * diceSlope(mean, value);
  }
  shared /= window.count;
  for (let position = 0; position < window.count; position++) {
    const value = input[window.inputIndices[position]!]!;
    const own = means.diceWeights[position]! * (1 + (value - diceMean) * diceSlope(value, mean));
    const softmax = means.exponentialWeights[position]! * (1 + value - exponential);
    gradInput[window.inputIndices[position]!]! += diceScale * (own + shared) + exponentialScale * softmax;
  }
}

/** ∂DSC(a, b)/∂a = 2b(b² − a²)/(a² + b²)² (0 at a = b = 0); ∂DSC/∂b is diceSlope(b, a). */
function diceSlope(a: number, b: number): number {
  const norm = a * a + b * b;
  return norm === 0 ? 0 : (2 * b * (b * b - a * a)) / (norm * norm);
}
