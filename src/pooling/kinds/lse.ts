// LSE, log-sum-exp pooling (Pinheiro & Collobert, "From Image-level to Pixel-level Labeling with
// Convolutional Networks", CVPR 2015): y = x_max + (1/r)·log(mean over the window of e^{r(x − x_max)}),
// the smooth maximum (1/r)·log(mean e^{rx}) computed stably, with r learnable: r → ∞ nears max
// pooling, r → 0 average pooling.
//
// Semantics, on every backend:
// - output size, SAME split and ceil mode: poolGeometry; the mean runs over in-bounds cells only;
// - r is a tensor of shape [1] (one for the layer) or [channels], of finite numbers; the shift is the
//   window's max for r > 0 and its min for r < 0 (every exponent ≤ 0: no overflow for any r); r = 0
//   (and |r|·(max − min) < 10⁻⁹) gives the mean, the limit; log1p/expm1 keep small r's digits;
// - gradients: ∂y/∂xᵢ = softmax(r·x)ᵢ (tied values get equal shares); ∂y/∂r = (Σ sᵢxᵢ − y)/r,
//   variance/2 at r = 0;
// - NaN in a window: output NaN; +Infinity (r > 0): +Infinity; −Infinity cells take weight 0 (r > 0);
//   a window whose output is not finite passes no gradient; a window with no in-bounds cell
//   (dilation) outputs 0.
import type { PoolGeometry, PoolOptions } from '../../geometry/pool-geometry.js';
import { lsePoolBackward, lsePoolForward } from '../../kernels/reference/extra/lse-pool.js';
import { checkTensor } from '../../ops/checks.js';
import type { Tensor } from '../../tensor/tensor.js';
import { weightedWindowOp } from '../arguments.js';
import { windowOptions } from '../common-options.js';
import { KEPT_CELL_PLANES, KEPT_PLANES, keptSpec } from './forward-keep.js';
import { rankedOps, type OpCall } from '../kind.js';
import { slidingWindowKind } from '../kind-presets.js';
import type { OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { channelConstant, spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow } from '../../formats/onnx/pool-window.js';
import {
  byChannel,
  cellMean,
  infiniteShiftWins,
  masked,
  pooledOutput,
  reduce,
  windowCells,
} from '../../formats/onnx/window-cells.js';
import {
  checkParameterValues,
  scalarWeightOptions,
  scalarWeights,
  scalarWeightShapes,
  type ScalarWeightSpec,
} from './learnable-parameters.js';

/** r: one per layer by default, initially 1 (poolkit's choice: between the mean and the max at unit scale). */
const rateSpec: ScalarWeightSpec = { weight: 'r', scope: 'rScope', initial: 'rInitial', fallback: 1 };

/** A forward that records a gradient gets a room to keep each cell's e^{r(x − m)} for the backward (forward-keep.ts). */
function computeLsePool(call: OpCall): Tensor {
  checkParameterValues(call.op, 'r', checkTensor(call.op, 'r', call.tensors[0]));
  const room = (geometry: PoolGeometry) => keptSpec(geometry, KEPT_PLANES.lse, KEPT_CELL_PLANES.lse);
  return weightedWindowOp(call, 'r', scalarWeightShapes, 'lsePool', room);
}

/**
 * Each window's cells side by side, m their ReduceMax (ReduceMin where r < 0), then
 * m + Log(mean Exp(r·(x − m)))/r as the kernel; the mean where r = 0 (the limit).
 */
function exportLsePool(call: OnnxExportCall) {
  const { graph, owner } = call;
  const apply = (opType: string, inputs: string[]) => graph.apply(opType, inputs, {}, owner);
  const cells = windowCells(call, call.input, exportWindow(call).axes);
  const rate = call.weights[0]!.values;
  const shift = byChannel(
    cells,
    rate.map((value) => (value > 0 ? 1 : 0)),
    () => reduce(cells, 'ReduceMax', cells.values, -Infinity),
    () => reduce(cells, 'ReduceMin', cells.values, Infinity),
  );
  const r = channelConstant(call, 'r', rate, cells.tail);
  const exponentials = apply('Exp', [apply('Mul', [r, apply('Sub', [cells.values, shift])])]);
  const logMean = apply('Log', [cellMean(cells, masked(cells, exponentials, 0))]);
  const smooth = () => infiniteShiftWins(cells, shift, apply('Add', [shift, apply('Div', [logMean, r])]));
  const mean = () => cellMean(cells, cells.values);
  return spatial(
    pooledOutput(
      cells,
      byChannel(
        cells,
        rate.map((value) => (value === 0 ? 0 : 1)),
        smooth,
        mean,
      ),
    ),
  );
}

export const lseKind = slidingWindowKind({
  names: ['lse', 'logSumExp'],
  layoutFree: true,
  op: 'lsePool{rank}d',
  // The wasm kernels: float32 with a 1-ulp SIMD e^x, a 2-ulp e^x − 1 (weights under 2⁻¹²⁶ taken as 0, as
  // SoftPool's) and a 2-ulp ln(1 + u) for the window's u = mean(e − 1) in (−1, 0]; y and the
  // softmax shares round a few times more than the float64 reference.
  tolerance: { relative: 1e-5, absolute: 1e-6 },
  tensorArguments: ['r'],
  options: [...windowOptions, ...scalarWeightOptions(rateSpec, 'sharpness r', 'layer')],
  docs: {
    label: 'LSE pooling',
    summary: 'A smooth maximum of each window, from the mean (r → 0) to the max (r → ∞), with a learnable r.',
    formula: 'y = m + (1/r)·log(mean over the window of e^{r(x − m)}), m the window max (min for r < 0)',
    gradient:
      'softmax(r·x)ᵢ to each cell; ∂y/∂r = (Σ softmax(r·x)ᵢ·xᵢ − y)/r; none from a window whose output is not finite.',
    source: 'Pinheiro & Collobert, CVPR 2015',
  },
  kernels: { lsePoolForward, lsePoolBackward },
  compute: computeLsePool,
  layer: {
    className: 'LSEPooling{rank}D',
    factory: 'lsePooling{rank}d',
    weights: scalarWeights(rateSpec),
  },
  onnx: { export: exportLsePool },
});

/**
 * LSE pooling (Pinheiro & Collobert, CVPR 2015): y = x_max + (1/r)·log(mean over the window of e^{r(x − x_max)}),
 * with the sharpness `r` (learnable), shape [1] or [channels]; r = 0 gives the mean.
 * @example lsePool2d(x, tensor([1]), { kernelSize: 2 })
 */
export type LsePoolOp = (input: Tensor, r: Tensor, options: PoolOptions) => Tensor;

export const [lsePool1d, lsePool2d, lsePool3d] = rankedOps(lseKind).as<LsePoolOp>();
