// GeM, generalized-mean pooling (Radenović, Tolias & Chum, "Fine-tuning CNN Image Retrieval with No
// Human Annotation", TPAMI 2018): y = (mean over the window of clamp(x, ε)^p)^(1/p), p learnable.
// p = 1 is average pooling of clamp(x, ε), p → ∞ nears max pooling. It is not poolkit's Lp pooling
// (nor PyTorch's lp_pool): those sum |x|^p instead of averaging clamp(x, ε)^p.
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry; the mean runs over in-bounds cells only;
// - ε = 10⁻⁶ (the authors' code); p is a tensor of shape [1] (one for the layer, the paper's choice)
//   or [channels], of finite non-zero numbers (p = 0 is refused: 1/p; negative p is a power mean too);
// - computed as s·(mean (c/s)^p)^(1/p), s the largest c (the smallest for p < 0): no overflow;
// - gradients: ∂y/∂xᵢ = (cᵢ/y)^(p−1)/n where xᵢ ≥ ε, 0 below (the clamp's rule, as PyTorch's);
//   ∂y/∂p = (y/p)·mean((cᵢ/y)^p·ln(cᵢ/y));
// - an all-negative window gives ε with no gradient to its cells; NaN gives NaN; +Infinity gives
//   +Infinity (p > 0); −Infinity is clamped to ε; a window whose output is not finite passes no
//   gradient; a window with no in-bounds cell (dilation) outputs 0.
import type { PoolOptions } from '../../geometry/pool-geometry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { windowOptions } from '../common-options.js';
import { rankedOps } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import { exportGem, gemDocs, gemKernels, gemPool, gemTolerance, gemWeightOptions, gemWeights } from './gem-power.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import { pooledOutput, windowCells } from '../../formats/onnx/window-cells.js';

/** Each window's cells side by side, then GeM over them scaled by their extreme, as the kernel. */
function exportGemPool(call: OnnxExportCall) {
  const cells = windowCells(call, call.input, exportWindow(call).axes);
  return spatial(pooledOutput(cells, exportGem(cells, call.weights[0]!.values)));
}

export const gemKind = slidingWindowKind({
  names: ['gem', 'generalizedMean'],
  layoutFree: true,
  op: 'gemPool{rank}d',
  tolerance: gemTolerance,
  tensorArguments: ['p'],
  options: [...windowOptions, ...gemWeightOptions],
  docs: {
    label: 'GeM pooling',
    summary: 'The generalized (power) mean of each window, with a learnable power p.',
    ...gemDocs,
  },
  kernels: gemKernels,
  compute: gemPool,
  layer: { weights: gemWeights },
  onnx: { export: exportGemPool },
});

/**
 * GeM pooling (Radenović, Tolias & Chum, TPAMI 2018): y = (mean over the window of max(x, 10⁻⁶)^p)^(1/p),
 * with the power `p` (learnable), shape [1] or [channels], finite and non-zero.
 * @example gemPool2d(x, tensor([3]), { kernelSize: 2 })
 */
export type GemPoolOp = (input: Tensor, p: Tensor, options: PoolOptions) => Tensor;

export const [gemPool1d, gemPool2d, gemPool3d] = rankedOps(gemKind).as<GemPoolOp>();
