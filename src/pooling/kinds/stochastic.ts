// Stochastic pooling: Zeiler & Fergus, "Stochastic Pooling for Regularization of Deep Convolutional
// Neural Networks" (ICLR 2013).
//
// With a⁺ = max(a, 0) (negative activations count as 0, as the paper pools ReLU outputs) and
// p_i = a⁺_i / Σ_j a⁺_j over a window's in-bounds cells:
// - training: y = a⁺_k for one cell k drawn with probability p_k; the gradient goes to cell k
//   (none if a_k < 0). One uniform draw per output element i, counter-based: u_i = drawUniform(key, i)
//   (src/tensor/counter-draws.ts: 32 bits of a hash of i under a key of two words taken from
//   `seed`'s or `random`'s generator), so every backend and thread split draws the same numbers.
// - inference (default): y = Σ p_i a⁺_i = Σ a⁺² / Σ a⁺, with ∂y/∂a_j = (2a_j·S − Q)/S².
// A window whose a⁺ sum to 0 outputs 0 and sends its gradient to its first cell (the limit of both
// formulas along that cell). A window holding NaN outputs NaN (training: its first NaN cell).
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import { kernel } from '../../kernels/backend.js';
import {
  stochasticPoolBackward,
  stochasticPoolForward,
  stochasticPoolInference,
  stochasticPoolInferenceBackward,
} from '../../kernels/reference/extra/stochastic-pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { randomOptions, windowGeometry, windowOptions } from '../common-options.js';
import { smoothSteps } from '../kernel-steps.js';
import { drawnSelection, drawOrExpect, drawsInCall, type RandomPoolOptions } from '../arguments.js';
import { rankedOps, type OpCall } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { scalar, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, windowWeightedSum } from '../../formats/onnx/pool-window.js';

export interface StochasticPoolOptions extends PoolOptions, RandomPoolOptions {}

function computeStochasticPool(call: OpCall): Tensor {
  const geometry = windowGeometry(call);
  const inference = smoothSteps(geometry, 'stochasticPoolInference', 'stochasticPoolInferenceBackward');
  return drawOrExpect(call, geometry, inference, {
    forward: 'stochasticPoolForward',
    backward: ({ inputs: [x], saved: [chosen], gradOutput, gradInputs: [gradInput] }) =>
      kernel('stochasticPoolBackward')(x!.values, chosen!.intValues, gradOutput.values, gradInput!.values, geometry),
  });
}

/** At inference Σ a⁺² / Σ a⁺ over each window (window sums as depthwise Convs), 0 where Σ a⁺ = 0. */
function exportStochasticPool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const { geometry, axes } = exportWindow(call);
  const positive = graph.apply('Relu', [call.input], {}, owner);
  const squares = windowWeightedSum(call, graph.apply('Mul', [positive, positive], {}, owner), axes, geometry.channels);
  const sums = windowWeightedSum(call, positive, axes, geometry.channels);
  const zero = scalar(call, 'zero', 0);
  const empty = graph.apply('Equal', [sums, zero], {}, owner);
  const ratio = graph.apply('Div', [squares, sums], {}, owner);
  return spatial(graph.apply('Where', [empty, zero, ratio], {}, owner));
}

export const stochasticKind = slidingWindowKind({
  names: ['stochastic'],
  op: 'stochasticPool{rank}d',
  options: [...windowOptions, ...randomOptions],
  docs: {
    label: 'Stochastic pooling',
    summary: 'Training: one cell drawn with probability ∝ its (ReLU) value; inference: that weighted mean.',
    formula: 'training: y = a⁺_k, k ~ p_i = a⁺_i / Σ a⁺; inference: y = Σ a⁺² / Σ a⁺',
    gradient: 'Training: all of it to the drawn cell; inference: (2a_j·S − Q)/S² to each cell.',
    source: 'Zeiler & Fergus, ICLR 2013',
  },
  kernels: { stochasticPoolForward, stochasticPoolBackward, stochasticPoolInference, stochasticPoolInferenceBackward },
  compute: computeStochasticPool,
  // Training picks one cell per window, and on relu's output (a = a⁺) its gradient goes to that cell alone.
  selectCells: (call, afterRelu) =>
    afterRelu && drawsInCall(call)
      ? drawnSelection(call, windowGeometry(call), { forward: 'stochasticPoolForward' })
      : null,
  onnx: { export: exportStochasticPool },
});

/**
 * Stochastic pooling.
 * @example stochasticPool2d(x, { kernelSize: 2, training: true, seed: 1 })
 * @example stochasticPool2d(x, { kernelSize: 2 }) // inference: probability-weighted average
 */
export type StochasticPoolOp = (input: Tensor, options: StochasticPoolOptions) => Tensor;

export const [stochasticPool1d, stochasticPool2d, stochasticPool3d] = rankedOps(stochasticKind).as<StochasticPoolOp>();
