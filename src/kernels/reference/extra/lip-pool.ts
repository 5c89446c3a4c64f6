// Local importance pooling (Gao, Wang & Wu, ICCV 2019), reference kernels: each window's cells
// averaged with weights e^{G_i}, where G = coefficient·sigmoid(z) is the bounded logit of the
// paper's soft gate and z the logit module's output (the same shape as the input).
import type { WeightedWindowBackward, WeightedWindowForward } from './kernel-signatures.js';
import type { PoolGeometry } from '../../../geometry/pool-geometry.js';
import { walkCollectedWindows, type CollectedWindow } from './collect.js';

/** The window geometry and λ of G = λ·sigmoid(z) (the paper's COEFF, 12). */
export interface LipGeometry extends PoolGeometry {
  readonly coefficient: number;
}

/** A window's importance weights e^{G_i − max G} (reused between windows) and its weighted mean. */
interface Importance {
  readonly weights: Float64Array;
  total: number;
  mean: number;
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/** Fills `importance` for a non-empty window: weights relative to the largest (same ratios, no overflow). */
function windowImportance(
  input: Float32Array,
  logits: Float32Array,
  window: CollectedWindow,
  coefficient: number,
  importance: Importance,
): void {
  let largest = -Infinity;
  for (let position = 0; position < window.count; position++) {
    const gate = coefficient * sigmoid(logits[window.inputIndices[position]!]!);
    importance.weights[position] = gate;
    largest = Math.max(largest, gate);
  }
  let [total, weightedSum] = [0, 0];
  for (let position = 0; position < window.count; position++) {
    const weight = Math.exp(importance.weights[position]! - largest);
    importance.weights[position] = weight;
    total += weight;
    weightedSum += weight * input[window.inputIndices[position]!]!;
  }
  importance.total = total;
  importance.mean = weightedSum / total;
}

function createImportance(geometry: PoolGeometry): Importance {
  const capacity = geometry.kernelDepth * geometry.kernelHeight * geometry.kernelWidth;
  return { weights: new Float64Array(capacity), total: 0, mean: 0 };
}

/** y = Σ e^{G_i}·x_i / Σ e^{G_j} over each window's in-bounds cells; an empty window gives 0. */
export const lipPoolForward: WeightedWindowForward<LipGeometry> = (input, logits, output, geometry) => {
  const importance = createImportance(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    if (window.count === 0) {
      output[outputIndex] = 0;
      return;
    }
    windowImportance(input, logits, window, geometry.coefficient, importance);
    output[outputIndex] = importance.mean;
  });
};

/**
 * ∂y/∂x_i = w_i and ∂y/∂z_i = w_i·(x_i − y)·λσ(z_i)(1 − σ(z_i)), w_i = e^{G_i} / Σ e^{G_j}; an
 * empty window passes nothing. gradInput and gradLogits must be zeroed first.
 */
export const lipPoolBackward: WeightedWindowBackward<LipGeometry> = (
  input,
  logits,
  gradOutput,
  gradInput,
  gradLogits,
  geometry,
) => {
  const importance = createImportance(geometry);
  walkCollectedWindows(geometry, (window, outputIndex) => {
    if (window.count === 0) return;
    windowImportance(input, logits, window, geometry.coefficient, importance);
    const gradient = gradOutput[outputIndex]! / importance.total;
    for (let position = 0; position < window.count; position++) {
      const inputIndex = window.inputIndices[position]!;
      const share = gradient * importance.weights[position]!;
      const gate = sigmoid(logits[inputIndex]!);
      gradInput[inputIndex]! += share;
      gradLogits[inputIndex]! +=
        share * (input[inputIndex]! - importance.mean) * geometry.coefficient * gate * (1 - gate);
    }
  });
};
