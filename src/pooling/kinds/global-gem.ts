// Global GeM pooling: GeM (gem.ts; Radenović, Tolias & Chum, TPAMI 2018) with one window covering the
// whole input, the paper's descriptor y[b, c] = (mean over every spatial cell of clamp(x, ε)^p)^(1/p).
// Shapes and keepDims as global max pooling (global-max.ts); p, ε, gradients, NaN, ±Infinity and
// the all-negative rule as gem.ts.
import { spatialSizes } from '../../geometry/layout.js';
import { reshape } from '../../ops/nn/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { globalOptions } from '../common-options.js';
import { globalRank, globalSetUp, type GlobalPoolOptions } from '../global-steps.js';
import { type OpCall } from '../kind.js';
import { standardKind } from '../kind-presets.js';
import { exportGem, gemDocs, gemPool, gemTolerance, gemWeightOptions, gemWeights } from './gem-power.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { globalResult } from '../../formats/onnx/pool-nodes.js';
import { globalCells } from '../../formats/onnx/window-cells.js';

/** Global GeM's options: the data format and keepDims (no mask: GeM has no masked form). */
export type GlobalGemPoolOptions = Omit<GlobalPoolOptions, 'mask'>;

function computeGlobalGem(call: OpCall): Tensor {
  const { spatialDims, dataFormat, outputShape } = globalSetUp(call.op, call.input.shape, call.options);
  const kernelSize = spatialSizes(call.input.shape, spatialDims, dataFormat);
  const pooled = gemPool({ ...call, rank: spatialDims, options: { kernelSize, dataFormat } });
  return pooled.shape.length === outputShape.length ? pooled : reshape(pooled, outputShape);
}

/** GeM over every cell of each plane (Reduce* over the spatial axes), kept or flattened as the layer. */
function exportGlobalGem(call: OnnxExportCall) {
  return globalResult(call, exportGem(globalCells(call), call.weights[0]!.values));
}

export const globalGemKind = standardKind({
  names: ['globalGem', 'globalGeneralizedMean'],
  layoutFree: true,
  window: 'global',
  op: 'globalGemPool',
  tensorArguments: ['p'],
  tolerance: gemTolerance,
  options: [...globalOptions, ...gemWeightOptions],
  docs: {
    label: 'Global GeM pooling',
    summary: 'One window covering the whole input: the generalized mean of each channel, learnable power p.',
    ...gemDocs,
  },
  kernels: {},
  outputShape: (op, shape, options) => globalSetUp(op, shape, options).outputShape,
  compute: computeGlobalGem,
  layer: { weights: gemWeights },
  onnx: { export: exportGlobalGem },
});

/**
 * Global GeM (Radenović, Tolias & Chum, TPAMI 2018): y[b, c] = (mean over the plane of max(x, 10⁻⁶)^p)^(1/p),
 * with the power `p` (learnable) of shape [1] or [channels].
 * @example globalGemPool(x, tensor([3]))                  // [2, 7, 7, 64] → [2, 64]
 * @example globalGemPool(x, tensor([3]), { keepDims: true }) // [2, 7, 7, 64] → [2, 1, 1, 64]
 */
export function globalGemPool(input: Tensor, p: Tensor, options?: GlobalGemPoolOptions): Tensor {
  return globalGemKind.apply(input, [p], options, globalRank(input));
}
