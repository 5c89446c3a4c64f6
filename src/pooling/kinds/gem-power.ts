// What GeM's two kinds share (gem.ts, windowed; global-gem.ts, one window over the whole input): the
// op through its kernels with p checked, and the layer weight 'p' with its options. Not a kind file.
import { GEM_EPSILON, gemPoolBackward, gemPoolForward } from '../../kernels/reference/extra/gem-pool.js';
import { channelConstant, scalar } from '../../formats/onnx/pool-nodes.js';
import { byChannel, cellMean, infiniteShiftWins, reduce, type ReducedCells } from '../../formats/onnx/window-cells.js';
import { checkTensor } from '../../ops/checks.js';
import type { Tensor } from '../../tensor/tensor.js';
import { weightedWindowOp } from '../arguments.js';
import type { OpCall } from '../kind.js';
import type { PoolGeometry } from '../../geometry/pool-geometry.js';
import { KEPT_CELL_PLANES, KEPT_PLANES, keptSpec } from './forward-keep.js';
import {
  checkParameterValues,
  scalarWeightOptions,
  scalarWeights,
  type ScalarWeightSpec,
} from './learnable-parameters.js';

/** p: one per layer by default (the paper's shared p), initially 3 as the paper's. */
const powerSpec: ScalarWeightSpec = { weight: 'p', scope: 'pScope', initial: 'pInitial', fallback: 3, nonZero: true };

export const gemWeights = scalarWeights(powerSpec);
export const gemWeightOptions = scalarWeightOptions(powerSpec, 'power p', 'layer');
export const gemKernels = { gemPoolForward, gemPoolBackward };

/**
 * The wasm kernels compute in float32 with a SIMD e^x of 1 ulp, each cell's ln(cᵢ/s) with a degree-5
 * polynomial (5 ulps of ln of the mantissa, |ln m| ≤ 0.35: at most 1.2·10⁻⁷ absolute in lᵢ) and the
 * root's ln of 1 ulp (the reference in float64; tᵢ under 2⁻¹²⁶ taken as 0, beside the extreme cell's
 * t = 1). y's relative error is the t-weighted mean of the lᵢ errors (δ ln y = Σtᵢδlᵢ/T), so the
 * short ln adds at most 1.2·10⁻⁷; each tᵢ = e^{p·lᵢ} also carries a few ulps plus |p·lᵢ|·2⁻²⁴ (large
 * only for tᵢ that add little), the mean and root a few more: 10⁻⁵ relative (and 10⁻⁶ absolute) holds
 * with margin.
 */
export const gemTolerance = { relative: 1e-5, absolute: 1e-6 };

export const gemDocs = {
  formula: 'y = (mean over the window of max(x, ε)^p)^(1/p), ε = 10⁻⁶',
  gradient: '(cᵢ/y)^(p−1)/n to each cell at or above ε (cᵢ = max(xᵢ, ε)); ∂y/∂p = (y/p)·mean((cᵢ/y)^p·ln(cᵢ/y)).',
  source: 'Radenović, Tolias & Chum, TPAMI 2018',
};

/** GeM over the windows of `call` (its geometry's), p a finite non-zero tensor of shape [1] or [channels]. */
export function gemPool(call: OpCall): Tensor {
  checkParameterValues(call.op, 'p', checkTensor(call.op, 'p', call.tensors[0]), true);
  const room = (geometry: PoolGeometry) => keptSpec(geometry, KEPT_PLANES.gem, KEPT_CELL_PLANES.gem);
  return weightedWindowOp(call, 'p', (geometry) => [[1], [geometry.channels]], 'gemPool', room);
}

/**
 * GeM over the cells in ONNX, as the kernel: c = Max(x, ε), s its ReduceMax (ReduceMin for p < 0),
 * y = s·(mean (c/s)^p)^(1/p), with p the layer's weight (one, or one per channel).
 */
export function exportGem(cells: ReducedCells, p: Float32Array): string {
  const { graph, owner } = cells.call;
  const apply = (opType: string, inputs: string[]) => graph.apply(opType, inputs, {}, owner);
  const clamped = apply('Max', [cells.values, scalar(cells.call, 'epsilon', GEM_EPSILON)]);
  const scale = byChannel(
    cells,
    p.map((value) => (value > 0 ? 1 : 0)),
    () => reduce(cells, 'ReduceMax', clamped, 0),
    () => reduce(cells, 'ReduceMin', clamped, Infinity),
  );
  const power = channelConstant(cells.call, 'p', p, cells.tail);
  const root = channelConstant(
    cells.call,
    'root',
    p.map((value) => 1 / value),
    cells.tail,
  );
  const mean = cellMean(cells, apply('Pow', [apply('Div', [clamped, scale]), power]));
  return infiniteShiftWins(cells, scale, apply('Mul', [scale, apply('Pow', [mean, root])]));
}
